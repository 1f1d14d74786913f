/** The link to a threat's line in the model at a commit, for every tracker (each path segment percent-encoded). */

export interface ModelPermalink {
  /** Path of the model in its repository, e.g. `threat-model.yml`. */
  path: string;
  /** `${webUrl}/${modelRepo}/blob/${sha}/${path}#L${line}`. */
  url: string;
  sha: string;
  line?: number;
}

export function modelPermalink(webUrl: string, modelRepo: string, sha: string, path: string, line?: number): ModelPermalink {
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  return {
    path,
    sha,
    line,
    url: `${webUrl.replace(/\/+$/, '')}/${modelRepo}/blob/${sha}/${encodedPath}${line === undefined ? '' : `#L${line}`}`,
  };
}

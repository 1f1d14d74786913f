export declare const MINIMUM_NODE_MAJOR: number;
export declare function nodeVersionProblem(version: string): string | undefined;
export declare function exitOnOldNode(version?: string): void;

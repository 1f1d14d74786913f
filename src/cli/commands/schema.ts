import { threatModelJsonSchemaText } from '../../model/json-schema.ts';
import { EXIT, type Command } from '../io.ts';

export const schemaCommand: Command = {
  summary: 'print the JSON Schema of threat-model.yml (for editors)',
  usage: 'threatloop schema',
  run(args, io) {
    if (args.length > 0) {
      io.err(`threatloop schema takes no arguments\nusage: ${schemaCommand.usage}`);
      return EXIT.usage;
    }
    io.out(threatModelJsonSchemaText().trimEnd());
    return EXIT.ok;
  },
};

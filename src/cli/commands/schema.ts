import { threatModelJsonSchemaText } from '../../model/json-schema.ts';
import { EXIT, type CommandModule } from '../io.ts';

export const schemaCommand: CommandModule = {
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

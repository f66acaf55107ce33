import type { Command } from 'commander';
import { TierwiseClient } from '../client/api-client';
import { readJsonArgument } from './study';

interface SetTaskOptions {
  server: string;
  key?: string;
  json?: boolean;
  postprocess?: string;
}

export function register(program: Command): void {
  const models = program.command('models').description('models on a Tierwise server');
  models
    .command('set-task <id> <task>')
    .description(
      "set a model's task (classification, multilabel, detection, segmentation, sequence, regression, embedding) and postprocess spec",
    )
    .option('--postprocess <json|file>', "the task's postprocess spec, JSON inline or a .json file; omitted fields get defaults")
    .option('--server <url>', 'the Tierwise api (env TIERWISE_SERVER)', process.env.TIERWISE_SERVER ?? 'http://localhost:3000')
    .option('--key <api key>', 'API key (default: env TIERWISE_API_KEY)')
    .option('--json', 'print the model as one JSON object')
    .action(async (id: string, task: string, options: SetTaskOptions) => {
      const client = new TierwiseClient({ server: options.server, key: options.key ?? process.env.TIERWISE_API_KEY ?? '' });
      const postprocess =
        options.postprocess === undefined
          ? undefined
          : (JSON.parse(readJsonArgument(options.postprocess, '--postprocess')) as Record<string, unknown>);
      const model = await client.setModelTask(id, task, postprocess);
      process.stdout.write(
        options.json
          ? `${JSON.stringify(model)}\n`
          : `model ${model.id}: task ${model.task}, postprocess ${JSON.stringify(model.postprocess)}\n`,
      );
    });
}

import {
  buildClientPolicy,
  checkPolicyRequest,
  type ClientRole,
  type IamPolicyDocument,
} from '../../aws/iam-policy.js';
import { defineCommand } from '../command.js';

export interface IamPolicyOptions {
  clusterArn: string;
  topics: string;
  role: ClientRole;
  groupPrefix?: string;
}

const topicList = (value: string) =>
  value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export default defineCommand<IamPolicyOptions, IamPolicyDocument>({
  name: 'policy',
  summary: 'print the least-privilege IAM policy for an MSK consumer or producer',
  flags: (command) =>
    command
      .requiredOption('--cluster-arn <arn>', 'the MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID)')
      .requiredOption('--topics <list>', 'topics the client uses, comma-separated (quote,trade)')
      .requiredOption('--role <role>', 'consumer or producer')
      .option('--group-prefix <prefix>', 'consumers: allow only groups whose names start with this'),
  validate: (options) => checkPolicyRequest(toRequest(options)),
  run: async (_ctx, options) => buildClientPolicy(toRequest(options)),
  // The policy is JSON for people too: it is pasted into IAM as it is.
  render: (policy) => JSON.stringify(policy, null, 2),
});

function toRequest(options: IamPolicyOptions) {
  return {
    clusterArn: options.clusterArn,
    topics: topicList(options.topics),
    role: options.role,
    groupPrefix: options.groupPrefix,
  };
}

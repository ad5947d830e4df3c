import type { MskOperation } from '../../aws/msk-listener-update.js';
import type { ConfigurationRevision, MskListenerPlan } from '../../aws/msk-listeners.js';
import type { MskCluster } from '../../aws/msk.js';
import type { ConnectionFlags } from '../../config/connection.js';
import type { VerifiedBroker } from '../../kafka/listener-change.js';
import type { ListenerPlan, NlbRow } from '../../kafka/listeners.js';
import type { AwsFlags, ClusterFlags } from '../msk/aws.js';

/** The options and results of `kfeed update-listeners` (src/commands/update-listeners.ts). */
export interface UpdateListenersOptions extends ConnectionFlags, AwsFlags, ClusterFlags {
  listenerName?: string;
  securityProtocol: string;
  hostTemplate?: string;
  portBase: number;
  bindHost?: string;
  bindPort?: number;
  bindPortBase?: number;
  apply?: boolean;
  planFile?: string;
  revert?: string;
  printNlb?: boolean;
  force?: boolean;
  timeout: number;
  msk?: boolean;
  configurationName?: string;
  pollInterval: number;
}

export const DEFAULT_LISTENER = 'CLIENT_SECURE_VPCE';

/**
 * What update-listeners did; `json` is what --json prints for each (the fields scripts read
 * since the command began).
 */
export type UpdateListenersResult =
  | { flow: 'nlb'; nlb: NlbRow[] }
  | { flow: 'plan'; plan: ListenerPlan; nothingToDo: boolean }
  /** --apply found every broker with the listener already: nothing saved or changed. */
  | { flow: 'unchanged'; plan: ListenerPlan }
  | { flow: 'applied'; plan: ListenerPlan; planFile: string; verified: VerifiedBroker[] }
  | { flow: 'reverted'; reverted: number[]; planFile: string }
  | { flow: 'msk-plan'; cluster: MskCluster; before: string | undefined; plan: MskListenerPlan; nlb: NlbRow[] }
  | {
      flow: 'msk-applied';
      plan: MskListenerPlan & { written: ConfigurationRevision };
      planFile: string;
      operation: MskOperation;
      nlb: NlbRow[];
    }
  | { flow: 'msk-reverted'; configuration: ConfigurationRevision; operation: MskOperation };

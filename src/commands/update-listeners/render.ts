import { CUSTOM_ADVERTISED_LISTENERS } from '../../aws/msk.js';
import { LISTENER_KEYS, type ListenerPlan, type NlbRow } from '../../kafka/listeners.js';
import type { RenderView } from '../command.js';
import type { UpdateListenersResult } from './types.js';

/** What update-listeners prints: --json (the fields scripts read since the command began) and text. */

export function jsonOf(result: UpdateListenersResult): unknown {
  switch (result.flow) {
    case 'nlb':
      return result.nlb;
    case 'plan':
    case 'unchanged':
      return { applied: false, ...result.plan };
    case 'applied':
      return { applied: true, planFile: result.planFile, verified: result.verified, ...result.plan };
    case 'reverted':
      return { reverted: result.reverted, planFile: result.planFile };
    case 'msk-plan':
      return { applied: false, before: result.before ?? null, ...result.plan };
    case 'msk-applied':
      return { applied: true, planFile: result.planFile, operation: result.operation, ...result.plan };
    case 'msk-reverted':
      return { reverted: true, configuration: result.configuration, operation: result.operation };
  }
}

export function renderResult(result: UpdateListenersResult, view: RenderView): string | undefined {
  switch (result.flow) {
    case 'nlb':
      return nlbTable(result.nlb, view);
    case 'plan':
      return planText(result.plan);
    case 'applied':
      return [
        planText(result.plan),
        '',
        view.table(result.verified, [
          { header: 'BROKER', value: (v) => v.brokerId, align: 'right' },
          { header: 'NEW LISTENER', value: (v) => v.direct },
          { header: 'ADVERTISES', value: (v) => v.advertises.join(',') },
        ]),
      ].join('\n');
    case 'msk-plan': {
      const { cluster } = result;
      return [
        `cluster ${cluster.name} (${cluster.mode === 'kraft' ? 'KRaft' : cluster.mode}), ` +
          `Kafka ${cluster.kafkaVersion ?? 'unknown'}`,
        CUSTOM_ADVERTISED_LISTENERS,
        `  before: ${result.before ?? '(unset)'}`,
        `  after:  ${result.plan.property}`,
        '',
        nlbTable(result.nlb, view),
      ].join('\n');
    }
    case 'msk-applied':
      return nlbTable(result.nlb, view);
    case 'unchanged':
    case 'reverted':
    case 'msk-reverted':
      return undefined;
  }
}

function planText(plan: ListenerPlan): string {
  const lines = [
    `listener ${plan.listenerName} (${plan.securityProtocol}), ` +
      `host template ${plan.hostTemplate}, port base ${plan.portBase}`,
  ];
  for (const entry of plan.plan) {
    lines.push('');
    lines.push(
      `broker ${entry.brokerId}: advertised ${entry.advertised.host}:${entry.advertised.port}, ` +
        `binds ${entry.bind.host || '*'}:${entry.bind.port}${entry.changes ? '' : ' (already in place)'}`,
    );
    for (const key of LISTENER_KEYS) {
      if (entry.before[key] === entry.after[key]) continue;
      lines.push(`  ${key}`);
      lines.push(
        `    before: ${entry.before[key] ?? '(unset)'}${entry.beforeDynamic[key] ? ' [per-broker override]' : ''}`,
      );
      lines.push(`    after:  ${entry.after[key]}`);
    }
  }
  return lines.join('\n');
}

function nlbTable(rows: NlbRow[], view: RenderView): string {
  return view.table(rows, [
    { header: 'NLB PORT', value: (r) => r.nlbPort, align: 'right' },
    { header: 'BROKER', value: (r) => r.brokerId, align: 'right' },
    { header: 'ADVERTISED AS', value: (r) => r.advertised },
    { header: 'TARGET', value: (r) => r.target },
  ]);
}

import type { ProfileStore } from '../config/profiles.js';
import { resourcePath } from '../package-info.js';
import { startLocalCluster, stopLocalCluster, type StartOptions } from './cluster.js';
import { clusterProfile } from './endpoints.js';
import { brokerAlive } from './processes.js';
import { readClusterState, type LocalClusterState } from './state.js';

/** The pom kept in the project that names the Kafka jars. */
export function brokerPom(): string {
  return resourcePath('kafka', 'pom.xml');
}

export interface BringUpOptions extends Omit<StartOptions, 'pom'> {
  profiles: ProfileStore;
  /** Write the cluster's profile (`local up` without --no-profile). */
  writeProfile: boolean;
  /**
   * Whether that profile becomes the default: `always` (`local up --default`, the demo while it
   * runs), or `if-no-other` (`local up`: a default the user chose for another cluster stays).
   */
  makeDefault: 'always' | 'if-no-other';
}

export interface BringUpResult {
  state: LocalClusterState;
  /** The cluster was running already and is used as it is. */
  reused: boolean;
  profileWritten: boolean;
  /** The default profile afterwards (undefined: there is none). */
  defaultProfile?: string;
}

/** Whether the cluster's profile becomes the default: another existing default stays unless `always`. */
export function becomesDefault(input: {
  name: string;
  currentDefault: string | undefined;
  mode: BringUpOptions['makeDefault'];
}): boolean {
  return input.mode === 'always' || input.currentDefault === undefined || input.currentDefault === input.name;
}

/**
 * `local up` and `demo`: starts (or re-uses) the cluster, then writes its profile. Nothing is
 * written to the profiles unless the cluster serves, so an interrupted start leaves none.
 */
export async function bringUpCluster(options: BringUpOptions): Promise<BringUpResult> {
  const { state, reused } = await startLocalCluster({ ...options, pom: brokerPom() });
  const { profiles } = options;
  // A profile that is the default only by being the only one counts too: it is where commands connect.
  const currentDefault = profiles.defaultName();
  if (!options.writeProfile) return { state, reused, profileWritten: false, defaultProfile: currentDefault };
  const makeDefault = becomesDefault({ name: state.name, currentDefault, mode: options.makeDefault });
  profiles.put(state.name, clusterProfile(state), { makeDefault });
  return { state, reused, profileWritten: true, defaultProfile: makeDefault ? state.name : currentDefault };
}

/** The cluster's state when every broker of it runs, else undefined. */
export function runningCluster(dataDir: string, name: string): LocalClusterState | undefined {
  const state = readClusterState(dataDir, name);
  return state && state.brokers.every(brokerAlive) ? state : undefined;
}

export interface TakeDownResult {
  name: string;
  stopped: boolean;
  /** The profile `local up` wrote for the cluster, removed with it. */
  profileRemoved: boolean;
  /** The default profile again when the removed one was the default and `restoreDefault` exists. */
  defaultProfile?: string;
}

/**
 * Stops the cluster, deletes its folder and the profile `local up` wrote for it (a profile of
 * that name the user wrote for something else stays). `restoreDefault` becomes the default
 * profile again when it still exists.
 */
export async function takeDownCluster(options: {
  dataDir: string;
  name: string;
  profiles: ProfileStore;
  restoreDefault?: string;
}): Promise<TakeDownResult> {
  const stopped = await stopLocalCluster(options.dataDir, options.name);
  const profile = options.profiles.get(options.name);
  const profileRemoved = profile?.meta?.localCluster === options.name;
  if (profileRemoved) options.profiles.remove(options.name);
  let defaultProfile: string | undefined;
  const previous = options.restoreDefault;
  if (previous && previous !== options.name && options.profiles.get(previous)) {
    options.profiles.use(previous);
    defaultProfile = previous;
  }
  return { name: options.name, stopped, profileRemoved, ...(defaultProfile ? { defaultProfile } : {}) };
}

import type { SubscriberView } from '../subscribers/overview.js';

/** How long a certificate has left, for people: days, or hours under a day ("0 day(s)" says nothing). */
export function timeLeftText(view: Pick<SubscriberView, 'daysLeft' | 'hoursLeft'>): string {
  if (view.hoursLeft === null || view.daysLeft === null) return 'no certificate';
  if (view.hoursLeft < 0) return 'none (expired)';
  if (view.daysLeft >= 1) return `${view.daysLeft} day(s)`;
  return view.hoursLeft >= 1 ? `${view.hoursLeft} hour(s)` : 'under an hour';
}

/** The largest lag of a subscriber's groups; "no commits" when it has groups that committed nothing. */
export function lagText(view: Pick<SubscriberView, 'lag' | 'groups'>): string {
  if (view.lag !== null) return String(view.lag);
  return view.groups.length ? 'no commits' : '-';
}

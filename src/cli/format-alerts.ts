import type { AlertStatus } from '../stack/alert-status.js';

/** The alerts part of `status`: where failed runs go, who receives them, and what is missing. */
export function formatAlerts(alerts: AlertStatus): string[] {
  if (alerts.target === 'none') return ['  alerts: off (up --notify EMAIL or --notify-topic-arn ARN sends failed runs)'];
  const topic = alerts.topicArn?.split(':').pop() ?? '';
  const whose = alerts.target === 'user-topic' ? 'your topic' : 'topic';
  const confirmed = alerts.subscriptions.filter((s) => s.confirmed).length;
  const lines = [
    `  alerts: ${alerts.wired ? 'wired' : 'NOT wired'}: failed runs go to ${whose} ${topic}; ` +
      `${confirmed} of ${alerts.subscriptions.length} subscription${alerts.subscriptions.length === 1 ? '' : 's'} confirmed`,
  ];
  for (const s of alerts.subscriptions) {
    const state = s.confirmed ? 'confirmed' : 'PENDING confirmation: open the link in the email "AWS Notification - Subscription Confirmation"';
    lines.push(`    ${s.protocol.padEnd(6)} ${s.endpoint.padEnd(32)} ${state}`);
  }
  for (const problem of alerts.problems) lines.push(`    ! ${problem}`);
  return lines;
}

/**
 * A playbook `deliver` step's message as text, for the sinks whose contract carries text (Slack,
 * syslog CEF, XSOAR details, TheHive description): a string as written, anything else as JSON.
 */
export function messageText(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}

/** The webview end of the protocol: every incoming message is checked, every outgoing one too (a bug shows in the console, not in the file). */
import { describeProblem, parseHostMessage, parseWebviewMessage, type HostMessage, type WebviewMessage } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  post(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export function connectHost(onMessage: (m: HostMessage) => void): Host {
  const api = acquireVsCodeApi();
  window.addEventListener('message', (ev: MessageEvent<unknown>) => {
    const parsed = parseHostMessage(ev.data);
    if (!parsed.ok) {
      console.error(`Kimball: dropped a malformed message from the extension: ${describeProblem(parsed.problem)}`);
      return;
    }
    onMessage(parsed.message);
  });
  return {
    post(message) {
      const parsed = parseWebviewMessage(message);
      if (!parsed.ok) {
        console.error(`Kimball: refused to send a malformed message: ${describeProblem(parsed.problem)}`);
        return;
      }
      api.postMessage(message);
    },
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}

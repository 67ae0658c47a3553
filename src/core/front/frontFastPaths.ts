import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../backends/backend';
import type { InFlightCall } from '../backends/backendHost';
import type { FrontTransport } from '../jsonLines';
import { passthroughResult } from '../passthrough';
import type { FrontSession, Switchboard } from '../switchboard';

type IncomingMessage = { id?: RequestId; method?: string; params?: Record<string, unknown> };

/**
 * Answers the front's hottest requests without the SDK's protocol layer:
 * tools/call for proxied tools goes down the backend's direct relay (and its
 * cancellation after it), and tools/list is answered from the catalog's
 * cached JSON. Management tools, calls to proxies that are down and
 * everything else go on to the session's SDK Server.
 */
export function installFastPaths(switchboard: Switchboard, session: FrontSession, transport: FrontTransport): void {
  const protocol = transport.onmessage;
  const relayed = new Map<RequestId, { backend: Backend; id: number }>();
  transport.onmessage = (message, extra) => {
    const { id, method, params } = message as IncomingMessage;
    if (method === 'tools/list' && id !== undefined && params?.cursor === undefined) {
      // A client that left needs no answer.
      const answer = () => transport.sendSerializedAnswer(id, session.surface().listJson(switchboard.catalog, switchboard.surface)).catch(() => undefined);
      const ready = switchboard.firstListReady(session, 'tools');
      if (ready) void ready.then(answer);
      else void answer();
      return;
    }
    if (method === 'tools/call' && id !== undefined && params && params.task === undefined) {
      const route = switchboard.catalog.toolRoutes.get(params.name as string);
      const relay = route?.backend.relay;
      // A tool outside the client's profile goes on to the Server, which refuses it.
      if (route && relay && route.backend.state === 'connected' && session.surface().accepts(switchboard.surface)(params.name as string)) {
        const relayId = relayCall(session, transport, route.backend, relay, { id, params }, route.name, () => relayed.delete(id));
        relayed.set(id, { backend: route.backend, id: relayId });
        return;
      }
    } else if (method === 'notifications/cancelled') {
      const call = relayed.get(params?.requestId as RequestId);
      if (call) {
        call.backend.relay?.cancel(call.id, params?.reason);
        return;
      }
    }
    protocol?.(message, extra);
  };
}

function relayCall(
  session: FrontSession,
  transport: FrontTransport,
  backend: Backend,
  relay: NonNullable<Backend['relay']>,
  request: { id: RequestId; params: Record<string, unknown> },
  toolName: string,
  forget: () => void,
): number {
  // Notifications for the call must be on their way before its answer is.
  let notifications: Promise<unknown>[] | undefined;
  const notify = (message: JSONRPCMessage) => {
    (notifications ??= []).push(transport.send(message, { relatedRequestId: request.id }).catch(() => undefined));
  };
  const sendAnswer = (send: () => Promise<void>) => {
    const sent = () => send().catch(() => undefined); // A client that left needs no answer.
    void (notifications ? Promise.all(notifications).then(sent) : sent());
  };
  const call: InFlightCall = {
    sessionId: session.id,
    sendRequest: (reverse, signal) => session.server.request(reverse, passthroughResult, { signal, relatedRequestId: request.id }),
    notify: (notification) => notify({ jsonrpc: '2.0', ...notification }),
  };
  backend.inFlight.add(call);
  return relay.call(request, toolName, {
    answer: (message) => sendAnswer(() => transport.send(message)),
    answerWithResult: (resultJson) => sendAnswer(() => transport.sendSerializedAnswer(request.id, resultJson)),
    notify,
    done: () => {
      backend.inFlight.delete(call);
      forget();
    },
  });
}

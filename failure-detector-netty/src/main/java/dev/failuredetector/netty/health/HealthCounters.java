package dev.failuredetector.netty.health;

import java.util.concurrent.atomic.LongAdder;

/** What the health server counted; written on its event loop, read by any thread. */
final class HealthCounters {
  final LongAdder httpResponses = new LongAdder();
  /** Responses with a 4xx status: the client's fault (bad path, unknown peer, oversized...). */
  final LongAdder httpClientErrors = new LongAdder();
  final LongAdder slowClients = new LongAdder();
  final LongAdder agentAnswers = new LongAdder();
  final LongAdder agentBadRequests = new LongAdder();
  final LongAdder connectionErrors = new LongAdder();
}

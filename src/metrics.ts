import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallCounter } from '../adapters/source';
import type { AuditWitnessStatus, AuditWriterCounters } from './audit/types';

/**
 * The gateway's metrics, in Prometheus text format at `/metrics`. Labels hold only names the
 * gateway itself defines (registered client ids, root field names of the schema, contract
 * codes, national database names): never an identifier of a person, a key or a query text.
 */
export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'operation' | 'client' | 'outcome'>;
  requestDuration: Histogram<'operation'>;
  refusals: Counter<'code'>;
  auditCommitDuration: Histogram;
  auditCommitFailures: Counter;
  /** Stops listening to the sources' calls. */
  close(): void;
}

/** Builds the registry; `sources` and `audit` are read when Prometheus scrapes. */
export function createMetrics(options: {
  sourceCalls: CallCounter;
  auditCounters: () => AuditWriterCounters;
  witnesses: () => AuditWitnessStatus[];
}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_process_' });
  const metrics: GatewayMetrics = {
    registry,
    requests: new Counter({
      name: 'gateway_requests_total',
      help: 'GraphQL requests by operation (its root fields), client and outcome',
      labelNames: ['operation', 'client', 'outcome'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to its answer, by operation (its root fields)',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'gateway_refusals_total',
      help: 'Requests and fields refused, by contract error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    auditCommitDuration: new Histogram({
      name: 'gateway_audit_commit_duration_seconds',
      help: 'Time a request waited for its access-log entry to commit',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    auditCommitFailures: new Counter({
      name: 'gateway_audit_commit_failures_total',
      help: 'Access-log entries that could not be committed (their answers were withheld)',
      registers: [registry],
    }),
    close: () => undefined,
  };
  const batchKeys = new Histogram({
    name: 'gateway_source_batch_keys',
    help: 'Keys per call to each national database: the size of one DataLoader batch',
    labelNames: ['source'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const sourceDuration = new Histogram({
    name: 'gateway_source_duration_seconds',
    help: 'Time each call to a national database took, answered or not',
    labelNames: ['source'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const sourceErrors = new Counter({
    name: 'gateway_source_errors_total',
    help: 'Calls to each national database that failed, by reason',
    labelNames: ['source', 'reason'],
    registers: [registry],
  });
  // Every call observes two histograms: each source's series are bound once, not looked up
  // by their labels on every call.
  const series = new Map<
    string,
    { keys: Histogram.Internal<'source'>; duration: Histogram.Internal<'source'> }
  >();
  metrics.close = options.sourceCalls.listen(({ database, keys, seconds, failure }) => {
    let bound = series.get(database);
    if (!bound) {
      bound = {
        keys: batchKeys.labels({ source: database }),
        duration: sourceDuration.labels({ source: database }),
      };
      series.set(database, bound);
    }
    bound.keys.observe(keys);
    bound.duration.observe(seconds);
    if (failure) sourceErrors.inc({ source: database, reason: failure });
  });
  new Counter({
    name: 'gateway_source_calls_total',
    help: 'Calls made to each national database (one per batch)',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [source, count] of Object.entries(options.sourceCalls.snapshot())) {
        this.inc({ source }, count);
      }
    },
  });
  new Gauge({
    name: 'gateway_audit_queue_depth',
    help: 'Access-log entries waiting for their group commit',
    registers: [registry],
    collect() {
      this.set(options.auditCounters().pending);
    },
  });
  new Counter({
    name: 'gateway_audit_entries_total',
    help: 'Access-log entries committed, and batches written, since start',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const counters = options.auditCounters();
      this.reset();
      this.inc({ kind: 'entries' }, counters.appended);
      this.inc({ kind: 'batches' }, counters.batches);
      this.inc({ kind: 'failed_entries' }, counters.failed);
      this.inc({ kind: 'failed_batches' }, counters.failedBatches);
      this.inc({ kind: 'checkpoints' }, counters.checkpoints);
    },
  });
  // A witness is named by its index in AUDIT_WITNESS_URL: URLs could carry credentials.
  new Gauge({
    name: 'gateway_audit_witness_backlog',
    help: 'Signed checkpoints waiting to be sent to each witness of the access log',
    labelNames: ['witness'],
    registers: [registry],
    collect() {
      this.reset();
      options
        .witnesses()
        .forEach((witness, index) => this.set({ witness: String(index) }, witness.backlog));
    },
  });
  new Gauge({
    name: 'gateway_audit_witness_up',
    help: 'Whether each witness of the access log took the last checkpoint sent to it',
    labelNames: ['witness'],
    registers: [registry],
    collect() {
      this.reset();
      options
        .witnesses()
        .forEach((witness, index) =>
          this.set({ witness: String(index) }, witness.state === 'up' ? 1 : 0),
        );
    },
  });
  return metrics;
}

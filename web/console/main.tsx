/**
 * The auditor's console: the access log, an entry, the chain, its witnesses, charts and unusual
 * patterns.
 */
import {
  StrictMode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
} from 'react';
import { createRoot } from 'react-dom/client';
import { PALETTE, TimeChart, type Series } from '../shared/Chart';
import { GatewayError, graphql } from '../shared/graphql';
import { I18nProvider, useI18n } from '../shared/i18n';
import { ErrorNotice, Layout } from '../shared/Layout';
import '../shared/style.css';
import {
  ANOMALIES,
  AUDIT_ENTRY,
  AUDIT_LOG,
  CHARTS,
  OUTCOMES,
  toCsv,
  VERIFY,
  WITNESSES,
  type Anomaly,
  type ChainReport,
  type CheckpointMark,
  type Entry,
  type Filter,
  type LogPage,
  type Outcome,
  type Statistics,
  type Volume,
  type Witnessing,
} from './queries';

const PAGE_SIZE = 50;
const EXPORT_LIMIT = 10_000;
const DAY = 86_400_000;

type Tab = 'log' | 'charts' | 'anomalies' | 'chain' | 'witnesses';

/** A `datetime-local` value read as Vietnam time (UTC+7), as ISO; undefined when empty. */
function fromLocal(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(`${value}:00+07:00`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO instant as a `datetime-local` value in Vietnam time. */
function toLocal(iso: string): string {
  return new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString().slice(0, 16);
}

function messageOf(error: unknown): string {
  return error instanceof GatewayError ? `${error.message} (${error.code})` : String(error);
}

function Console() {
  const { t } = useI18n();
  const [key, setKey] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('log');
  const [filter, setFilter] = useState<Filter>({});
  const [openSeq, setOpenSeq] = useState<string | null>(null);
  const call = useCallback(
    <T,>(query: string, variables?: Record<string, unknown>) =>
      graphql<T>(key ?? '', query, variables),
    [key],
  );
  if (!key) {
    return (
      <Layout title="consoleTitle">
        <SignIn onSignedIn={setKey} />
      </Layout>
    );
  }
  const tabs: [Tab, Parameters<typeof t>[0]][] = [
    ['log', 'tabLog'],
    ['charts', 'tabCharts'],
    ['anomalies', 'tabAnomalies'],
    ['chain', 'tabChain'],
    ['witnesses', 'tabWitnesses'],
  ];
  return (
    <Layout title="consoleTitle" onSignOut={() => setKey(null)}>
      <nav className="tabs" aria-label={t('consoleTitle')}>
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            aria-current={tab === id ? 'page' : undefined}
            onClick={() => setTab(id)}
          >
            {t(label)}
          </button>
        ))}
      </nav>
      {openSeq ? (
        <EntryDetail seq={openSeq} call={call} onClose={() => setOpenSeq(null)} />
      ) : tab === 'log' ? (
        <LogView call={call} filter={filter} setFilter={setFilter} onOpen={setOpenSeq} />
      ) : tab === 'charts' ? (
        <ChartsView call={call} />
      ) : tab === 'anomalies' ? (
        <AnomaliesView
          call={call}
          onShow={(next) => {
            setFilter(next);
            setTab('log');
          }}
        />
      ) : tab === 'witnesses' ? (
        <WitnessesView call={call} />
      ) : (
        <ChainView call={call} onOpen={setOpenSeq} />
      )}
    </Layout>
  );
}

type Call = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

function SignIn({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // A first page proves the key is an auditor's before the console opens.
      await graphql<LogPage>(value, AUDIT_LOG, { first: 1 });
      onSignedIn(value);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card signin" onSubmit={submit}>
      <p className="intro">{t('consoleIntro')}</p>
      <div className="field">
        <label htmlFor="api-key">{t('apiKey')}</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-describedby="api-key-help"
        />
        <p className="help" id="api-key-help">
          {t('apiKeyHelp')}
        </p>
      </div>
      <ErrorNotice error={error} />
      <button type="submit" disabled={busy}>
        {t('signIn')}
      </button>
    </form>
  );
}

function Outcome({ outcome }: { outcome: Outcome }) {
  return <span className={`badge ${outcome}`}>{outcome}</span>;
}

function LogView({
  call,
  filter,
  setFilter,
  onOpen,
}: {
  call: Call;
  filter: Filter;
  setFilter: (filter: Filter) => void;
  onOpen: (seq: string) => void;
}) {
  const { t, dateTime } = useI18n();
  const [draft, setDraft] = useState(() => ({
    client: filter.client ?? '',
    subjectId: filter.subjectId ?? '',
    purpose: filter.purpose ?? '',
    caseId: filter.caseId ?? '',
    from: filter.from ? toLocal(filter.from) : '',
    to: filter.to ? toLocal(filter.to) : '',
    outcome: filter.outcome ?? '',
  }));
  // Cursors of the pages seen so far: page n starts after cursors[n].
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<LogPage['auditLog'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exportStatus, setExportStatus] = useState<string | null>(null);
  const index = cursors.length - 1;

  useEffect(() => {
    let live = true;
    setError(null);
    setPage(null);
    call<LogPage>(AUDIT_LOG, { filter, first: PAGE_SIZE, after: cursors[index] }).then(
      (data) => live && setPage(data.auditLog),
      (caught) => live && setError(messageOf(caught)),
    );
    return () => {
      live = false;
    };
  }, [call, filter, cursors, index]);

  function apply(event: FormEvent) {
    event.preventDefault();
    const next: Filter = {};
    for (const name of ['client', 'subjectId', 'purpose', 'caseId'] as const) {
      if (draft[name].trim()) next[name] = draft[name].trim();
    }
    const from = fromLocal(draft.from);
    const to = fromLocal(draft.to);
    if (from) next.from = from;
    if (to) next.to = to;
    if (draft.outcome) next.outcome = draft.outcome as Outcome;
    setCursors([null]);
    setFilter(next);
  }

  function clear() {
    setDraft({ client: '', subjectId: '', purpose: '', caseId: '', from: '', to: '', outcome: '' });
    setCursors([null]);
    setFilter({});
  }

  async function exportCsv() {
    const entries: Entry[] = [];
    let after: string | null = null;
    try {
      for (;;) {
        setExportStatus(t('exporting', { n: entries.length }));
        const data: LogPage = await call<LogPage>(AUDIT_LOG, { filter, first: 100, after });
        entries.push(...data.auditLog.edges.map((edge) => edge.node));
        after = data.auditLog.pageInfo.endCursor;
        if (!data.auditLog.pageInfo.hasNextPage || entries.length >= EXPORT_LIMIT) break;
      }
    } catch (caught) {
      setExportStatus(null);
      setError(messageOf(caught));
      return;
    }
    const url = URL.createObjectURL(new Blob([toCsv(entries)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `access-log-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setExportStatus(
      entries.length >= EXPORT_LIMIT
        ? t('exportCapped', { n: entries.length })
        : t('exported', { n: entries.length }),
    );
  }

  const text = (
    name: 'client' | 'subjectId' | 'purpose' | 'caseId',
    label: Parameters<typeof t>[0],
  ) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{t(label)}</label>
      <input
        id={`filter-${name}`}
        value={draft[name]}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      />
    </div>
  );
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">{t('tabLog')}</h2>
      <form className="card" onSubmit={apply} aria-label={t('filters')}>
        <div className="grid">
          {text('client', 'client')}
          {text('subjectId', 'subjectId')}
          {text('purpose', 'purpose')}
          {text('caseId', 'caseId')}
          <div className="field">
            <label htmlFor="filter-from">{t('from')}</label>
            <input
              id="filter-from"
              type="datetime-local"
              value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="filter-to">{t('to')}</label>
            <input
              id="filter-to"
              type="datetime-local"
              value={draft.to}
              onChange={(event) => setDraft({ ...draft, to: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="filter-outcome">{t('outcome')}</label>
            <select
              id="filter-outcome"
              value={draft.outcome}
              onChange={(event) => setDraft({ ...draft, outcome: event.target.value })}
            >
              <option value="">{t('anyOutcome')}</option>
              {OUTCOMES.map((outcome) => (
                <option key={outcome} value={outcome}>
                  {outcome}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="row">
          <button type="submit">{t('apply')}</button>
          <button type="button" className="secondary" onClick={clear}>
            {t('clear')}
          </button>
          <button type="button" className="secondary" onClick={exportCsv}>
            {t('exportCsv')}
          </button>
        </div>
        {exportStatus && (
          <p className="notice ok" role="status">
            {exportStatus}
          </p>
        )}
      </form>
      <ErrorNotice error={error} />
      {!page ? (
        <p role="status">{t('loading')}</p>
      ) : page.edges.length === 0 ? (
        <p role="status">{t('noEntries')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>{t('pageN', { n: index + 1 })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('seq')}</th>
                <th scope="col">{t('time')}</th>
                <th scope="col">{t('client')}</th>
                <th scope="col">{t('purpose')}</th>
                <th scope="col" className="hide-narrow">
                  {t('caseId')}
                </th>
                <th scope="col" className="hide-narrow">
                  {t('subjects')}
                </th>
                <th scope="col">{t('outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {page.edges.map(({ node }) => (
                <tr key={node.seq} data-seq={node.seq}>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => onOpen(node.seq)}
                      aria-label={t('detailsOf', { seq: node.seq })}
                    >
                      {node.seq}
                    </button>
                  </td>
                  <td>{dateTime(node.at)}</td>
                  <td>{node.client}</td>
                  <td>{node.purpose ?? '—'}</td>
                  <td className="hide-narrow">{node.caseId ?? '—'}</td>
                  <td className="mono hide-narrow">
                    {node.subjects.slice(0, 3).join(', ')}
                    {node.subjects.length > 3 ? ` +${node.subjects.length - 3}` : ''}
                  </td>
                  <td>
                    <Outcome outcome={node.outcome} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="row" aria-label={t('pageN', { n: index + 1 })}>
        <button
          type="button"
          className="secondary"
          disabled={index === 0}
          onClick={() => setCursors([null])}
        >
          {t('firstPage')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={index === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          {t('previousPage')}
        </button>
        <button
          type="button"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => page && setCursors([...cursors, page.pageInfo.endCursor])}
        >
          {t('nextPage')}
        </button>
      </nav>
    </section>
  );
}

function List({ items }: { items: string[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <>{t('none')}</>;
  return (
    <ul className="plain mono">
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}

function EntryDetail({ seq, call, onClose }: { seq: string; call: Call; onClose: () => void }) {
  const { t, dateTime } = useI18n();
  const [entry, setEntry] = useState<Entry | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    call<{ auditEntry: Entry | null }>(AUDIT_ENTRY, { seq }).then(
      (data) => setEntry(data.auditEntry),
      (caught) => setError(messageOf(caught)),
    );
  }, [call, seq]);
  useEffect(() => heading.current?.focus(), [entry]);
  const rows: [Parameters<typeof t>[0], React.ReactNode][] = entry
    ? [
        ['seq', entry.seq],
        ['requestId', <span className="mono">{entry.requestId}</span>],
        ['time', dateTime(entry.at)],
        ['client', entry.client],
        ['actor', entry.actor ?? '—'],
        ['purpose', entry.purpose ?? '—'],
        ['caseId', entry.caseId ?? '—'],
        ['operation', entry.operation ?? '—'],
        ['outcome', <Outcome outcome={entry.outcome} />],
        ['duration', `${entry.durationMs} ms`],
        ['subjects', <List items={entry.subjects} />],
        ['fieldsReturned', <List items={entry.fields} />],
        ['fieldsRefused', <List items={entry.denied} />],
        ['documentHash', <span className="mono">{entry.documentHash ?? '—'}</span>],
        ['restrictedUntil', entry.restrictedUntil ? dateTime(entry.restrictedUntil) : '—'],
        ['previousHash', <span className="mono">{entry.previousHash}</span>],
        ['hash', <span className="mono">{entry.hash}</span>],
      ]
    : [];
  return (
    <section aria-labelledby="entry-title" className="card">
      <h2 id="entry-title" tabIndex={-1} ref={heading}>
        {t('detailsOf', { seq })}
      </h2>
      <ErrorNotice error={error} />
      {entry === undefined && !error && <p role="status">{t('loading')}</p>}
      {entry === null && <p role="status">{t('notFound', { seq })}</p>}
      {entry && (
        <>
          <dl className="detail">
            {rows.map(([label, value]) => (
              <div key={label} className="pair">
                <dt>{t(label)}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <h3>{t('subgraphs')}</h3>
          <p className="notice info" data-testid="subgraphs-absent">
            {t('subgraphsAbsent')}
          </p>
        </>
      )}
      <button type="button" onClick={onClose}>
        {t('close')}
      </button>
    </section>
  );
}

function ChainView({ call, onOpen }: { call: Call; onOpen: (seq: string) => void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [report, setReport] = useState<ChainReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function verify(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const data = await call<{ verifyAuditChain: ChainReport }>(VERIFY, {
        from: fromLocal(from),
        to: fromLocal(to),
      });
      setReport(data.verifyAuditChain);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="chain-title">
      <h2 id="chain-title">{t('tabChain')}</h2>
      <form className="card" onSubmit={verify}>
        <p className="intro">{t('verifyIntro')}</p>
        <div className="grid">
          <div className="field">
            <label htmlFor="chain-from">{t('from')}</label>
            <input
              id="chain-from"
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="chain-to">{t('to')}</label>
            <input
              id="chain-to"
              type="datetime-local"
              value={to}
              onChange={(e) => setTo(e.target.value)}
            />
          </div>
        </div>
        <button type="submit" disabled={busy}>
          {t('verify')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {busy && <p role="status">{t('loading')}</p>}
      {report && (
        <div
          className={`card chain ${report.ok ? 'ok' : 'broken'}`}
          role="status"
          data-chain={report.ok ? 'ok' : 'broken'}
        >
          <h3>{report.ok ? t('chainOk') : t('chainBroken')}</h3>
          <dl className="detail">
            <dt>{t('checkedEntries')}</dt>
            <dd>{report.checkedEntries}</dd>
            <dt>{t('checkedCheckpoints')}</dt>
            <dd>{report.checkedCheckpoints}</dd>
            {!report.ok && (
              <>
                <dt>{t('problem')}</dt>
                <dd>{report.problem}</dd>
                <dt>{t('firstBroken')}</dt>
                <dd data-testid="first-broken">
                  {report.firstBrokenSeq ?? '—'}
                  {report.firstBrokenRequestId && (
                    <span className="mono"> ({report.firstBrokenRequestId})</span>
                  )}
                </dd>
              </>
            )}
          </dl>
          <p>{report.message}</p>
          {report.firstBrokenSeq && report.problem !== 'REMOVED' && (
            <button type="button" onClick={() => onOpen(report.firstBrokenSeq as string)}>
              {t('openEntry', { seq: report.firstBrokenSeq })}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** Rows of a timeline as one series per key, on the union of their intervals. */
function seriesOf(rows: Volume[], key: (row: Volume) => string, value: (row: Volume) => number) {
  const times = [...new Set(rows.map((row) => new Date(row.at).getTime()))].sort((a, b) => a - b);
  const position = new Map(times.map((time, index) => [time, index]));
  const byKey = new Map<string, number[]>();
  for (const row of rows) {
    const name = key(row);
    const values = byKey.get(name) ?? new Array<number>(times.length).fill(0);
    values[position.get(new Date(row.at).getTime()) as number] += value(row);
    byKey.set(name, values);
  }
  const series: Series[] = [...byKey]
    .map(([label, values]) => ({ label, values }))
    .filter((entry) => entry.values.some((v) => v > 0))
    .sort((a, b) => b.values.reduce((s, v) => s + v, 0) - a.values.reduce((s, v) => s + v, 0));
  return { times, series };
}

function ChartsView({ call }: { call: Call }) {
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState<'7h' | '30d' | '90d'>('7h');
  const [data, setData] = useState<{
    accessTimeline: Volume[];
    accessStatistics: Statistics[];
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const to = new Date();
    const days = period === '7h' ? 7 : period === '30d' ? 30 : 90;
    setData(null);
    call<{ accessTimeline: Volume[]; accessStatistics: Statistics[] }>(CHARTS, {
      from: new Date(to.getTime() - days * DAY).toISOString(),
      to: to.toISOString(),
      bucket: period === '7h' ? 'HOUR' : 'DAY',
    }).then(setData, (caught) => setError(messageOf(caught)));
  }, [call, period]);
  const charts = useMemo(() => {
    if (!data) return null;
    const rows = data.accessTimeline;
    const byClient = seriesOf(
      rows,
      (row) => row.client,
      (row) => row.total,
    );
    // A client keeps its colour in the refusals chart.
    const colors = new Map(
      byClient.series.map((entry, i) => [entry.label, PALETTE[i % PALETTE.length]]),
    );
    const refusals = seriesOf(
      rows,
      (row) => row.client,
      (row) => row.refused,
    );
    for (const entry of [...byClient.series, ...refusals.series])
      entry.color = colors.get(entry.label);
    return {
      byClient,
      byPurpose: seriesOf(
        rows,
        (row) => row.purpose ?? '—',
        (row) => row.total,
      ),
      refusals,
    };
  }, [data]);
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  return (
    <section aria-labelledby="charts-title">
      <h2 id="charts-title">{t('tabCharts')}</h2>
      <div className="field narrow">
        <label htmlFor="chart-period">{t('range')}</label>
        <select
          id="chart-period"
          value={period}
          onChange={(e) => setPeriod(e.target.value as typeof period)}
        >
          <option value="7h">{t('last7Hours')}</option>
          <option value="30d">{t('last30Days')}</option>
          <option value="90d">{t('last90Days')}</option>
        </select>
      </div>
      <ErrorNotice error={error} />
      {!charts || !data ? (
        !error && <p role="status">{t('loading')}</p>
      ) : data.accessTimeline.length === 0 ? (
        <p role="status">{t('noData')}</p>
      ) : (
        <>
          {(
            [
              ['volumeByClient', charts.byClient],
              ['volumeByPurpose', charts.byPurpose],
              ['refusals', charts.refusals],
            ] as const
          ).map(([title, chart]) => (
            <figure className="chart" key={title} data-chart={title}>
              <h3>{t(title)}</h3>
              {chart.series.length === 0 ? (
                <p>{t('noData')}</p>
              ) : (
                <TimeChart
                  label={t(title)}
                  times={chart.times}
                  series={chart.series}
                  locale={locale}
                  timeLabel={t('time')}
                />
              )}
            </figure>
          ))}
          <div className="table-wrap">
            <table>
              <caption>{t('totals')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('client')}</th>
                  <th scope="col">{t('purpose')}</th>
                  <th scope="col">{t('total')}</th>
                  <th scope="col">OK</th>
                  <th scope="col">PARTIAL</th>
                  <th scope="col">DENIED</th>
                  <th scope="col">UNAUTHENTICATED</th>
                  <th scope="col">ERROR</th>
                </tr>
              </thead>
              <tbody>
                {data.accessStatistics.map((row) => (
                  <tr key={`${row.client}/${row.purpose}`}>
                    <td>{row.client}</td>
                    <td>{row.purpose ?? '—'}</td>
                    <td>{row.total}</td>
                    <td>{row.ok}</td>
                    <td>{row.partial}</td>
                    <td>{row.denied}</td>
                    <td>{row.unauthenticated}</td>
                    <td>{row.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function AnomaliesView({ call, onShow }: { call: Call; onShow: (filter: Filter) => void }) {
  const { t, dateTime, date } = useI18n();
  const [anomalies, setAnomalies] = useState<Anomaly[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call<{ accessAnomalies: Anomaly[] }>(ANOMALIES).then(
      (data) => setAnomalies(data.accessAnomalies),
      (caught) => setError(messageOf(caught)),
    );
  }, [call]);
  const text = (anomaly: Anomaly) => {
    const params = {
      client: anomaly.client,
      count: anomaly.count,
      baseline: anomaly.baseline ?? 0,
      day: anomaly.kind === 'SUBJECT_SURGE' ? date(anomaly.from) : dateTime(anomaly.from),
      purpose: anomaly.purpose ?? '',
      fields: anomaly.fields.join(', '),
    };
    const key = {
      SUBJECT_SURGE: 'surgeText',
      NIGHT_READS: 'nightText',
      REFUSAL_BURST: 'burstText',
      UNBOUND_FIELDS: 'unboundText',
    } as const;
    return t(key[anomaly.kind], params);
  };
  return (
    <section aria-labelledby="anomalies-title">
      <h2 id="anomalies-title">{t('tabAnomalies')}</h2>
      <p className="intro">{t('anomaliesIntro')}</p>
      <ErrorNotice error={error} />
      {!anomalies ? (
        !error && <p role="status">{t('loading')}</p>
      ) : anomalies.length === 0 ? (
        <p role="status">{t('noAnomalies')}</p>
      ) : (
        <ul className="cards">
          {anomalies.map((anomaly, index) => (
            <li key={index} className="card" data-kind={anomaly.kind}>
              <h3>{t(anomaly.kind)}</h3>
              <p>{text(anomaly)}</p>
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  onShow({
                    client: anomaly.client,
                    purpose: anomaly.purpose ?? undefined,
                    from: anomaly.from,
                    to: anomaly.to,
                  })
                }
              >
                {t('showEntries')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Each witness of the log: its key, the newest checkpoint it cosigned, what waits, its state. */
function WitnessesView({ call }: { call: Call }) {
  const { t, dateTime } = useI18n();
  const [view, setView] = useState<Witnessing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      setView((await call<{ auditWitnesses: Witnessing }>(WITNESSES)).auditWitnesses);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }, [call]);
  useEffect(() => {
    void load();
  }, [load]);
  const mark = (checkpoint: CheckpointMark | null) =>
    !checkpoint
      ? t('noCheckpoint')
      : checkpoint.at
        ? t('checkpointMark', { seq: checkpoint.sequence, time: dateTime(checkpoint.at) })
        : t('checkpointSeq', { seq: checkpoint.sequence });
  const upToDate = view?.witnesses.filter((w) => w.state === 'UP_TO_DATE').length ?? 0;
  return (
    <section aria-labelledby="witnesses-title">
      <h2 id="witnesses-title">{t('tabWitnesses')}</h2>
      <p className="intro">{t('witnessesIntro')}</p>
      <ErrorNotice error={error} />
      {!view ? (
        !error && <p role="status">{t('loading')}</p>
      ) : (
        <>
          <div className="card">
            <dl className="detail">
              <dt>{t('logCheckpoint')}</dt>
              <dd
                data-testid="log-checkpoint"
                data-sequence={view.newestCheckpoint?.sequence ?? ''}
              >
                {mark(view.newestCheckpoint)}
              </dd>
              <dt>{t('logHead')}</dt>
              <dd>{view.headSequence}</dd>
            </dl>
            <div className="row">
              <button type="button" className="secondary" onClick={load} disabled={busy}>
                {t('refresh')}
              </button>
            </div>
          </div>
          {view.witnesses.length === 0 ? (
            <p className="notice info" role="status" data-testid="no-witness">
              {t('noWitness')}
            </p>
          ) : (
            <>
              <p role="status">
                {t('witnessesSummary', { current: upToDate, total: view.witnesses.length })}
              </p>
              <ul className="cards">
                {view.witnesses.map((witness) => (
                  <li
                    key={witness.url}
                    className={`card witness ${witness.state}`}
                    data-witness={witness.url}
                    data-state={witness.state}
                  >
                    <h3>
                      <span className="mono">{witness.url}</span>{' '}
                      <span className={`badge ${witness.state}`}>{t(witness.state)}</span>
                    </h3>
                    <p>{t(`${witness.state}_TEXT`, { n: witness.backlog })}</p>
                    <dl className="detail">
                      <dt>{t('witnessKey')}</dt>
                      <dd className="mono" data-testid="witness-key">
                        {witness.keyName} ({witness.keyId})
                      </dd>
                      <dt>{t('lastCosigned')}</dt>
                      <dd
                        data-testid="last-cosigned"
                        data-sequence={witness.lastCosigned?.sequence ?? ''}
                      >
                        {mark(witness.lastCosigned)}
                      </dd>
                      <dt>{t('witnessBacklog')}</dt>
                      <dd data-testid="witness-backlog">{witness.backlog}</dd>
                      <dt>{t('unwitnessedEntries')}</dt>
                      <dd>{witness.unwitnessedEntries}</dd>
                      {witness.lastError && (
                        <>
                          <dt>{t('lastError')}</dt>
                          <dd className="mono">{witness.lastError}</dd>
                        </>
                      )}
                    </dl>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <I18nProvider>
      <Console />
    </I18nProvider>
  </StrictMode>,
);

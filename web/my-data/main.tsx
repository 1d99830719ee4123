/** The citizen's page: my data with its sources, who read it and why, my consents. */
import {
  StrictMode,
  useCallback,
  useEffect,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import { createRoot } from 'react-dom/client';
import { GatewayError, graphql } from '../shared/graphql';
import { I18nProvider, useI18n, type WordKey } from '../shared/i18n';
import { ErrorNotice, Layout } from '../shared/Layout';
import '../shared/style.css';

const SOURCE = 'source { database updatedAt }';
const ME = `query MyData {
  me {
    id fullName dateOfBirth sex permanentAddress { text } ${SOURCE}
    enterprises { role title enterprise { code name ${SOURCE} } ${SOURCE} }
    landRights { share parcel { id area ${SOURCE} } }
    insurance { socialInsuranceNumber status ${SOURCE} }
    civilService { code position ${SOURCE} }
  }
}`;
const ACCESSES = `query MyDataAccesses($after: String) {
  myDataAccesses(first: 20, after: $after) {
    edges { cursor node { seq at client actor purpose caseId fields outcome } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CONSENTS = `query MyConsents { myConsents { id client purpose fields grantedAt until revokedAt } }`;
const GRANT = `mutation GrantConsent($client: ID!, $purpose: ID!, $fields: [String!]!, $until: DateTime) {
  grantConsent(client: $client, purpose: $purpose, fields: $fields, until: $until) { id }
}`;
const REVOKE = `mutation RevokeConsent($id: ID!) { revokeConsent(id: $id) { id revokedAt } }`;

interface Source {
  database: string;
  updatedAt: string;
}
interface Me {
  id: string;
  fullName: string | null;
  dateOfBirth: string | null;
  sex: string | null;
  permanentAddress: { text: string } | null;
  source: Source | null;
  enterprises:
    | {
        role: string | null;
        title: string | null;
        enterprise: { code: string; name: string; source: Source | null } | null;
        source: Source | null;
      }[]
    | null;
  landRights:
    | {
        share: number | null;
        parcel: { id: string; area: number | null; source: Source | null } | null;
      }[]
    | null;
  insurance: { socialInsuranceNumber: string; status: string | null; source: Source | null } | null;
  civilService: { code: string; position: string | null; source: Source | null } | null;
}
interface Access {
  seq: string;
  at: string;
  client: string;
  actor: string | null;
  purpose: string | null;
  caseId: string | null;
  fields: string[];
  outcome: string;
}
interface Consent {
  id: string;
  client: string;
  purpose: string;
  fields: string[];
  grantedAt: string;
  until: string | null;
  revokedAt: string | null;
}

type Call = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

function messageOf(error: unknown): string {
  return error instanceof GatewayError ? `${error.message} (${error.code})` : String(error);
}

function MyData() {
  const [token, setToken] = useState<string | null>(null);
  const call = useCallback(
    <T,>(query: string, variables?: Record<string, unknown>) =>
      graphql<T>(token ?? '', query, variables),
    [token],
  );
  return (
    <Layout title="citizenTitle" onSignOut={token ? () => setToken(null) : undefined}>
      {token ? <SignedIn call={call} /> : <SignIn onSignedIn={setToken} />}
    </Layout>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const { t } = useI18n();
  const [demo, setDemo] = useState<string[] | null>(null);
  const [citizen, setCitizen] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Present only on the embedded default; elsewhere the answer is 404 and the form stays.
    fetch('/my-data/demo-sign-in', { credentials: 'omit' })
      .then((response) => (response.ok ? response.json() : null))
      .then((body: { citizens: string[] } | null) => {
        if (body?.citizens?.length) {
          setDemo(body.citizens);
          setCitizen(body.citizens[0]);
        }
      })
      .catch(() => undefined);
  }, []);
  async function demoSignIn(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const response = await fetch('/my-data/demo-sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ citizenId: citizen }),
        credentials: 'omit',
      });
      const body = (await response.json()) as { token?: string; error?: string };
      if (!body.token) throw new Error(body.error ?? `HTTP ${response.status}`);
      onSignedIn(body.token);
    } catch (caught) {
      setError(String((caught as Error).message ?? caught));
    }
  }
  return (
    <>
      <p className="intro">{t('citizenIntro')}</p>
      {demo && (
        <form className="card signin" onSubmit={demoSignIn} aria-labelledby="demo-title">
          <h2 id="demo-title">{t('demoSignIn')}</h2>
          <p className="help">{t('demoNote')}</p>
          <div className="field">
            <label htmlFor="demo-citizen">{t('demoCitizen')}</label>
            <select
              id="demo-citizen"
              value={citizen}
              onChange={(event) => setCitizen(event.target.value)}
            >
              {demo.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('signIn')}</button>
        </form>
      )}
      <form
        className="card signin"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) onSignedIn(token.trim());
        }}
      >
        <div className="field">
          <label htmlFor="citizen-token">{t('token')}</label>
          <input
            id="citizen-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby="citizen-token-help"
          />
          <p className="help" id="citizen-token-help">
            {t('tokenHelp')}
          </p>
        </div>
        <button type="submit" className="secondary">
          {t('signIn')}
        </button>
      </form>
      <ErrorNotice error={error} />
    </>
  );
}

function SourceLine({ source }: { source: Source | null }) {
  const { t, date } = useI18n();
  if (!source) return null;
  const database = (
    ['POPULATION', 'ENTERPRISE', 'LAND', 'INSURANCE', 'CIVIL_SERVICE', 'REFERENCE'] as const
  ).find((name) => name === source.database);
  return (
    <p className="help" data-source={source.database}>
      {t('sourceLine', {
        database: database ? t(database) : source.database,
        date: date(source.updatedAt),
      })}
    </p>
  );
}

function Record({
  title,
  source,
  children,
}: {
  title: WordKey;
  source: Source | null;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <article className="card">
      <h3>{t(title)}</h3>
      {children}
      <SourceLine source={source} />
    </article>
  );
}

function SignedIn({ call }: { call: Call }) {
  const { t, date, dateTime } = useI18n();
  const [me, setMe] = useState<Me | null>(null);
  const [accesses, setAccesses] = useState<Access[] | null>(null);
  const [more, setMore] = useState<string | null>(null);
  const [consents, setConsents] = useState<Consent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [grant, setGrant] = useState({
    client: 'demo-ekyc',
    purpose: 'EKYC',
    fields: 'Citizen.fullName, Citizen.dateOfBirth',
    until: '',
  });

  const load = useCallback(async () => {
    setError(null);
    try {
      const [mine, reads, given] = await Promise.all([
        call<{ me: Me | null }>(ME),
        call<{
          myDataAccesses: {
            edges: { node: Access }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        }>(ACCESSES),
        call<{ myConsents: Consent[] }>(CONSENTS),
      ]);
      setMe(mine.me);
      setAccesses(reads.myDataAccesses.edges.map((edge) => edge.node));
      setMore(
        reads.myDataAccesses.pageInfo.hasNextPage ? reads.myDataAccesses.pageInfo.endCursor : null,
      );
      setConsents(given.myConsents);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [call]);
  useEffect(() => {
    void load();
  }, [load]);

  async function loadMore() {
    try {
      const data = await call<{
        myDataAccesses: {
          edges: { node: Access }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(ACCESSES, { after: more });
      setAccesses([...(accesses ?? []), ...data.myDataAccesses.edges.map((edge) => edge.node)]);
      setMore(
        data.myDataAccesses.pageInfo.hasNextPage ? data.myDataAccesses.pageInfo.endCursor : null,
      );
    } catch (caught) {
      setError(messageOf(caught));
    }
  }
  async function revoke(id: string) {
    try {
      await call(REVOKE, { id });
      setNotice(t('revoked'));
      await load();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }
  async function submitGrant(event: FormEvent) {
    event.preventDefault();
    try {
      await call(GRANT, {
        client: grant.client.trim(),
        purpose: grant.purpose.trim(),
        fields: grant.fields
          .split(',')
          .map((field) => field.trim())
          .filter(Boolean),
        until: grant.until ? new Date(`${grant.until}T23:59:59+07:00`).toISOString() : null,
      });
      setNotice(t('granted'));
      await load();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <>
      <ErrorNotice error={error} />
      {notice && (
        <p className="notice ok" role="status">
          {notice}
        </p>
      )}
      <section aria-labelledby="records-title">
        <h2 id="records-title">{t('myRecords')}</h2>
        {!me ? (
          !error && <p role="status">{t('loading')}</p>
        ) : (
          <>
            <Record title="identity" source={me.source}>
              <dl className="detail">
                <dt>{t('fullName')}</dt>
                <dd data-testid="full-name">{me.fullName ?? '—'}</dd>
                <dt>{t('dateOfBirth')}</dt>
                <dd>{me.dateOfBirth ? date(me.dateOfBirth) : '—'}</dd>
                <dt>{t('sex')}</dt>
                <dd>{me.sex === 'MALE' || me.sex === 'FEMALE' ? t(me.sex) : (me.sex ?? '—')}</dd>
                <dt>{t('address')}</dt>
                <dd>{me.permanentAddress?.text ?? '—'}</dd>
              </dl>
            </Record>
            {me.enterprises?.map((role, index) => (
              <Record
                key={`e${index}`}
                title="enterprises"
                source={role.enterprise?.source ?? role.source}
              >
                <p>
                  {role.enterprise?.name} ({role.enterprise?.code}) · {role.title ?? role.role}
                </p>
              </Record>
            ))}
            {me.landRights?.map((right, index) => (
              <Record key={`l${index}`} title="land" source={right.parcel?.source ?? null}>
                <p>
                  {t('parcel', {
                    id: right.parcel?.id ?? '',
                    area: right.parcel?.area ?? '',
                    share: right.share ?? '',
                  })}
                </p>
              </Record>
            ))}
            {me.insurance && (
              <Record title="insurance" source={me.insurance.source}>
                <p>
                  {t('insuranceNumber')}: {me.insurance.socialInsuranceNumber}{' '}
                  {me.insurance.status ? `· ${me.insurance.status}` : ''}
                </p>
              </Record>
            )}
            {me.civilService && (
              <Record title="civilService" source={me.civilService.source}>
                <p>
                  {me.civilService.code} · {me.civilService.position}
                </p>
              </Record>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="reads-title">
        <h2 id="reads-title">{t('whoRead')}</h2>
        <p className="intro">{t('whoReadIntro')}</p>
        {accesses && accesses.length === 0 && <p>{t('noReads')}</p>}
        {accesses && accesses.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('time')}</th>
                  <th scope="col">{t('client')}</th>
                  <th scope="col">{t('purpose')}</th>
                  <th scope="col">{t('caseId')}</th>
                  <th scope="col" className="hide-narrow">
                    {t('actor')}
                  </th>
                  <th scope="col">{t('fields')}</th>
                </tr>
              </thead>
              <tbody>
                {accesses.map((access) => (
                  <tr key={access.seq} data-client={access.client}>
                    <td>{dateTime(access.at)}</td>
                    <td>{access.client.startsWith('citizen:') ? t('you') : access.client}</td>
                    <td>{access.purpose ?? '—'}</td>
                    <td>{access.caseId ?? '—'}</td>
                    <td className="hide-narrow">{access.actor ?? '—'}</td>
                    <td className="mono">
                      {access.fields.slice(0, 4).join(', ')}
                      {access.fields.length > 4 &&
                        ` ${t('moreFields', { n: access.fields.length - 4 })}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {more && (
          <button type="button" className="secondary" onClick={loadMore}>
            {t('more')}
          </button>
        )}
      </section>

      <section aria-labelledby="consents-title">
        <h2 id="consents-title">{t('myConsents')}</h2>
        {consents && consents.length === 0 && <p>{t('noConsents')}</p>}
        {consents && consents.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('client')}</th>
                  <th scope="col">{t('purpose')}</th>
                  <th scope="col">{t('fields')}</th>
                  <th scope="col" className="hide-narrow">
                    {t('grantedAt')}
                  </th>
                  <th scope="col">{t('until')}</th>
                  <th scope="col">{t('status')}</th>
                </tr>
              </thead>
              <tbody>
                {consents.map((consent) => (
                  <tr key={consent.id} data-consent={consent.id}>
                    <td>{consent.client}</td>
                    <td>{consent.purpose}</td>
                    <td className="mono">{consent.fields.join(', ')}</td>
                    <td className="hide-narrow">{date(consent.grantedAt)}</td>
                    <td>{consent.until ? date(consent.until) : t('noEnd')}</td>
                    <td>
                      {consent.revokedAt ? (
                        t('revokedOn', { date: date(consent.revokedAt) })
                      ) : (
                        <button
                          type="button"
                          className="danger"
                          onClick={() => revoke(consent.id)}
                          aria-label={t('revokeLabel', {
                            client: consent.client,
                            purpose: consent.purpose,
                          })}
                        >
                          {t('revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form className="card" onSubmit={submitGrant} aria-labelledby="grant-title">
          <h3 id="grant-title">{t('grant')}</h3>
          <div className="grid">
            <div className="field">
              <label htmlFor="grant-client">{t('client')}</label>
              <input
                id="grant-client"
                required
                value={grant.client}
                onChange={(e) => setGrant({ ...grant, client: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="grant-purpose">{t('purpose')}</label>
              <input
                id="grant-purpose"
                required
                value={grant.purpose}
                onChange={(e) => setGrant({ ...grant, purpose: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="grant-fields">{t('fields')}</label>
              <input
                id="grant-fields"
                required
                value={grant.fields}
                aria-describedby="grant-fields-help"
                onChange={(e) => setGrant({ ...grant, fields: e.target.value })}
              />
              <p className="help" id="grant-fields-help">
                {t('fieldsHelp')}
              </p>
            </div>
            <div className="field">
              <label htmlFor="grant-until">{t('until')}</label>
              <input
                id="grant-until"
                type="date"
                value={grant.until}
                onChange={(e) => setGrant({ ...grant, until: e.target.value })}
              />
            </div>
          </div>
          <button type="submit">{t('grantButton')}</button>
        </form>
      </section>
    </>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <I18nProvider>
      <MyData />
    </I18nProvider>
  </StrictMode>,
);

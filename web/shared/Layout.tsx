/** The frame of both pages: skip link, title bar with language switch and sign-out, main region. */
import type { ReactNode } from 'react';
import { useI18n, type WordKey } from './i18n';

export function Layout({
  title,
  onSignOut,
  children,
}: {
  title: WordKey;
  onSignOut?: () => void;
  children: ReactNode;
}) {
  const { t, toggle } = useI18n();
  return (
    <>
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      <header className="top">
        <h1>{t(title)}</h1>
        <div className="actions">
          <button type="button" onClick={toggle} aria-label={t('languageLabel')}>
            {t('language')}
          </button>
          {onSignOut && (
            <button type="button" onClick={onSignOut}>
              {t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** An error as a notice that screen readers announce. */
export function ErrorNotice({ error }: { error: string | null }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="notice error" role="alert">
      {t('error')}: {error}
    </p>
  );
}

import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useTheme, type ThemePreference } from '../hooks/use-theme';
import { SignOutButton } from './sign-in-gate';

const NAV = [
  { to: '/runs', label: 'Runs' },
  { to: '/workflows', label: 'Workflows' },
  { to: '/workers', label: 'Workers' },
  { to: '/dead-letters', label: 'Dead letters' },
  { to: '/events', label: 'Events' },
  { to: '/insights', label: 'Insights' },
];

const NEXT_THEME: Record<ThemePreference, ThemePreference> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_LABEL: Record<ThemePreference, string> = { system: 'Auto', light: 'Light', dark: 'Dark' };

function ThemeToggle() {
  const { preference, theme, setPreference } = useTheme();
  return (
    <button
      type="button"
      className="theme-toggle"
      onClick={() => setPreference(NEXT_THEME[preference])}
      title={`Theme: ${THEME_LABEL[preference]}${preference === 'system' ? ` (${theme}, from your system)` : ''}. Click to change.`}
      data-testid="theme-toggle"
    >
      <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span>
      {THEME_LABEL[preference]}
    </button>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/runs" className="brand" aria-label="flowctl home">
          <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="5" cy="12" r="3" fill="currentColor" />
            <circle cx="19" cy="5" r="3" fill="currentColor" opacity="0.75" />
            <circle cx="19" cy="19" r="3" fill="currentColor" opacity="0.75" />
            <path d="M8 12h3l5-6M11 12l5 6" stroke="currentColor" strokeWidth="1.6" fill="none" />
          </svg>
          flowctl
        </NavLink>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <NavLink key={item.to} to={item.to} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          <a className="nav-link subtle" href="/api/docs" target="_blank" rel="noreferrer">
            API
          </a>
          <ThemeToggle />
          <SignOutButton />
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}

export function LiveIndicator({ state }: { state: 'connecting' | 'live' | 'reconnecting' | 'failed' }) {
  const label = { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', failed: 'Offline' }[state];
  return (
    <span
      className={`live-indicator ${state}`}
      title={state === 'live' ? 'Updates arrive as they happen' : 'Live updates are paused; retrying'}
      data-testid="live"
    >
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

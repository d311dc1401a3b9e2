import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { applyStatusPalette, type ThemeName } from '../model/status';

export type ThemePreference = ThemeName | 'system';
const STORAGE_KEY = 'flowctl.theme';

const systemTheme = (): ThemeName =>
  typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

function storedPreference(): ThemePreference {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export interface ThemeState {
  preference: ThemePreference;
  theme: ThemeName;
  setPreference: (preference: ThemePreference) => void;
}

/** Follows prefers-color-scheme until the user picks a theme; the pick is remembered in this browser. */
export function useThemeState(): ThemeState {
  const [preference, setPreferenceState] = useState<ThemePreference>(storedPreference);
  const [system, setSystem] = useState<ThemeName>(systemTheme);

  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);

  const theme = preference === 'system' ? system : preference;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
    applyStatusPalette(theme);
  }, [theme]);

  return useMemo(
    () => ({
      preference,
      theme,
      setPreference: (next: ThemePreference) => {
        setPreferenceState(next);
        try {
          if (next === 'system') localStorage.removeItem(STORAGE_KEY);
          else localStorage.setItem(STORAGE_KEY, next);
        } catch {
          // private mode: the choice lasts for this page only
        }
      },
    }),
    [preference, theme],
  );
}

export const ThemeContext = createContext<ThemeState>({ preference: 'system', theme: 'light', setPreference: () => undefined });
export const useTheme = () => useContext(ThemeContext);

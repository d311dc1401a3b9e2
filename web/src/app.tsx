import { lazy, Suspense } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router';
import { AppLayout } from './components/app-layout';
import { EmptyState } from './components/empty-state';
import { SignInGate } from './components/sign-in-gate';
import { ThemeContext, useThemeState } from './hooks/use-theme';
import { DeadLettersPage } from './pages/dead-letters-page';
import { EventsPage } from './pages/events-page';
import { RunPage } from './pages/run-page';
import { RunsPage } from './pages/runs-page';
import { WorkersPage } from './pages/workers-page';
import { WorkflowPage } from './pages/workflow-page';
import { WorkflowsPage } from './pages/workflows-page';

/** The charts library is the size of the rest of the dashboard: loaded when the Insights page is first opened. */
const InsightsPage = lazy(() => import('./pages/insights-page').then((module) => ({ default: module.InsightsPage })));

function NotFoundPage() {
  return (
    <div className="page">
      <EmptyState
        title="Nothing here"
        action={
          <Link to="/runs" className="button primary">
            Go to runs
          </Link>
        }
      >
        This address is not a page of the dashboard.
      </EmptyState>
    </div>
  );
}

/** Every page has a URL; these are the deep links people paste into chats and tickets. */
export function App() {
  const theme = useThemeState();
  return (
    <ThemeContext.Provider value={theme}>
      <AppLayout>
        <SignInGate>
          <Routes>
            <Route path="/" element={<Navigate to="/runs" replace />} />
            <Route path="/runs" element={<RunsPage />} />
            <Route path="/runs/:id" element={<RunPage />} />
            <Route path="/runs/:id/tasks/:name" element={<RunPage />} />
            <Route path="/workflows" element={<WorkflowsPage />} />
            <Route path="/workflows/:name" element={<WorkflowPage tab="overview" />} />
            <Route path="/workflows/:name/definition" element={<WorkflowPage tab="definition" />} />
            <Route path="/workflows/:name/versions" element={<WorkflowPage tab="versions" />} />
            <Route path="/workers" element={<WorkersPage />} />
            <Route path="/dead-letters" element={<DeadLettersPage />} />
            <Route path="/dead-letters/:id" element={<DeadLettersPage />} />
            <Route path="/events" element={<EventsPage />} />
            <Route
              path="/insights"
              element={
                <Suspense fallback={<div className="skeleton-table" aria-busy="true" />}>
                  <InsightsPage />
                </Suspense>
              }
            />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </SignInGate>
      </AppLayout>
    </ThemeContext.Provider>
  );
}

/** The people views, one chunk loaded on first visit (LazyPeople.tsx): the queue's first load stays small. */
export { AppealsView } from './AppealsView';
export { ApprovalsView } from './ApprovalsView';
export { ReportsView } from './ReportsView';
export { SenderPage } from './SenderPage';

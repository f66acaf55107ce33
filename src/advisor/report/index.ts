export { buildReport, DEFAULT_METHOD_NOTE, type AdvisorReport, type ReportOptions } from './report';
export { csvField, reportToCsv } from './csv';
export { reportToHtml } from './html';
export { escapeHtml } from './escape';

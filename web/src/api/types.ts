// Names for the generated API types (schema.d.ts, `npm run web:gen-api`), so pages import
// `CaseOut` rather than spelling the generated path.
import type { components } from './schema'

export type Schemas = components['schemas']
export type CaseOut = Schemas['CaseOut']
export type CaseSummary = Schemas['CaseListItemOut']
export type Assignment = Schemas['AssignmentOut']
export type CaseRequest = Schemas['CaseRequestOut']
export type CaseSupervision = Schemas['CaseSupervisionOut']
export type CaseList = Schemas['CaseListOut']
export type HistoryEvent = Schemas['HistoryEventOut']
export type RevealOut = Schemas['RevealOut']
export type AttachmentOut = Schemas['AttachmentOut']
export type AttachmentList = Schemas['AttachmentListOut']
export type ProblemDetail = Schemas['ProblemDetailOut']
export type Supervision = Schemas['SupervisionOut']
export type RouteAdvice = Schemas['RouteOut']

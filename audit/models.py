"""The audit trail's tables: django-simple-history's history models of the records, registered by
branches.models (app="audit"), live in this app so that the records' own app keeps its migrations."""

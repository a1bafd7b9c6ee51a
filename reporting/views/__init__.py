"""Pages of the reporting app: report catalogue and forms, export jobs, the auditor's workspace."""

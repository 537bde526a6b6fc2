"""Each basic-level secretary's 述职报告: drafted from the records (content), as .docx (document), the summary (workbook)."""

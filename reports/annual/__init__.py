"""The annual duty report (述职报告): its text from the figures (content), its .docx (document) and .xlsx (workbook)."""

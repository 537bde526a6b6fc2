from django.urls import path

from . import views
from .secretary_reports import views as secretary

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("todo/", views.todo_list, name="todo"),
    path("m/", views.phone_todo, name="phone_todo"),
    path("warnings/", views.warning_list, name="warnings"),
    path("meetings/compliance/", views.meeting_compliance, name="meeting_compliance"),
    path("report/", views.annual_report, name="annual_report"),
    path("report/docx/", views.annual_report_docx, name="annual_report_docx"),
    path("report/xlsx/", views.annual_report_xlsx, name="annual_report_xlsx"),
    path("report/pdf/", views.annual_report_pdf, name="annual_report_pdf"),
    path("recruitment/<int:pk>/flow.docx", views.recruit_flow_docx, name="recruit_flow_docx"),
    path("transfers/<int:pk>/letter.docx", views.transfer_letter_docx, name="transfer_letter_docx"),
    path("transfers/letters.docx", views.transfer_letters_docx, name="transfer_letters_docx"),
    path("secretary-reports/<int:year>/", secretary.round_list, name="secretary_reports"),
    path("secretary-reports/<int:year>/reports.zip", secretary.reports_zip, name="secretary_reports_zip"),
    path("secretary-reports/<int:year>/summary.xlsx", secretary.summary_xlsx, name="secretary_reports_summary"),
    path("secretary-reports/<int:year>/ranking/", secretary.ranking, name="secretary_reports_ranking"),
    path("secretary-reports/<int:year>/<int:pk>/", secretary.report_page, name="secretary_report"),
    path("secretary-reports/<int:year>/<int:pk>/report.docx", secretary.report_docx, name="secretary_report_docx"),
]

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzhou.core.imports.models import ImportJob
from tongzhou.people.tests.factories import row, xlsx


def test_the_bad_rows_download_as_csv_for_the_uploader_only(demo, client_as, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("r.xlsx", xlsx([row(0), row(1, 房号="9999")]))
    with django_capture_on_commit_callbacks(execute=True):
        client_as("taian_staff").post(reverse("people:import"), {"file": upload, "place": demo.places["taian"].pk})
    job = ImportJob.objects.get()
    url = reverse("people:import_errors", args=[job.pk])
    page = client_as("taian_staff").get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert url in page
    response = client_as("taian_staff").get(url)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0] == ["行 row", "列 column", "原因 reason"] and lines[1][:2] == ["3", "房号"] and len(lines) == 2
    assert client_as("songhua_staff").get(url).status_code == 404
    assert client_as("volunteer").get(url).status_code in (302, 403, 404)


def test_the_template_has_the_residents_headers(demo, client_as):
    import openpyxl

    response = client_as("taian_staff").get(reverse("people:import_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "居民登记"
    assert [c.value for c in sheet[1]][:3] == ["姓名", "证件类型", "证件号码"]
    assert 'filename="tongzhou-residents-template.xlsx"' in response["Content-Disposition"]

"""The permission matrix is one table in code, described for people, rendered into docs/permissions.md."""

import pytest
from django.contrib.auth.models import Permission

from oms.accounts import matrix
from oms.accounts.roles import PERMISSION_AREAS, PERMISSION_INFO, ROLE_DUTIES, ROLE_ORDER, ROLE_PERMISSIONS
from oms.cli import main


def test_docs_permissions_md_is_what_the_command_renders():
    # When this fails: run `oms permissions doc` and commit docs/permissions.md with the role change.
    assert matrix.DOC_PATH.read_text(encoding="utf-8") == matrix.render()
    assert main(["permissions", "doc", "--check"]) == 0


def test_the_check_fails_on_a_stale_or_missing_file_and_the_command_repairs_it(tmp_path, capsys):
    stale = tmp_path / "permissions.md"
    assert main(["permissions", "doc", "--check", "--output", str(stale)]) == 1  # missing
    stale.write_text(matrix.render().replace("✓", "", 1), encoding="utf-8")
    assert main(["permissions", "doc", "--check", "--output", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err

    assert main(["permissions", "doc", "--output", str(stale)]) == 0
    assert main(["permissions", "doc", "--check", "--output", str(stale)]) == 0


def test_every_permission_a_role_holds_is_described_with_an_area_and_a_manual_section():
    assert matrix.unknown_permissions() == []
    for perm, info in PERMISSION_INFO.items():
        assert info.area in PERMISSION_AREAS, perm
        assert info.en and info.zh and info.duty, perm


def test_no_description_is_left_over_for_a_permission_no_role_holds():
    held = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    assert set(PERMISSION_INFO) - held == set()


def test_every_role_has_its_chapter_four_duties_in_both_languages():
    assert set(ROLE_DUTIES) == set(ROLE_ORDER) == set(ROLE_PERMISSIONS)
    for role, duty in ROLE_DUTIES.items():
        assert duty.duties_zh and len(duty.duties_zh) == len(duty.duties_en), role
    sections = {ROLE_DUTIES[r].section for r in ("customer_service", "warehouse", "logistics", "finance", "operations")}
    assert sections == {"4.1", "4.2", "4.3", "4.4", "4.5"}


def test_the_rendered_table_marks_exactly_the_permissions_each_role_holds():
    doc = matrix.render()
    for perm in PERMISSION_INFO:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{perm}` |"))
        marks = [cell.strip() == "✓" for cell in row.strip("|").split("|")[3:]]
        assert marks == [perm in ROLE_PERMISSIONS[r] for r in ROLE_ORDER], perm


def test_a_permission_without_a_description_cannot_be_rendered(monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, "warehouse", ROLE_PERMISSIONS["warehouse"] | {"orders.typo_permision"})
    with pytest.raises(ValueError, match="orders.typo_permision"):
        matrix.render()


@pytest.mark.django_db
def test_every_permission_named_in_the_matrix_exists_after_migrate():
    # Catches typos: a permission that does not exist would silently grant nothing (sync_roles skips it).
    existing = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
    named = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    assert sorted(named - existing) == []


@pytest.mark.django_db
def test_each_role_group_holds_exactly_its_permissions():
    from django.contrib.auth.models import Group

    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == perms, role

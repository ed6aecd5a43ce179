from django.contrib.auth.models import Group, Permission

from oms.accounts.models import User
from oms.accounts.roles import CHECK_ENTRIES, CUSTOMER_SERVICE, ENTER_ORDERS, PUSH_ORDERS, WAREHOUSE


def test_a_user_has_exactly_the_rights_of_their_roles(db):
    user = User.objects.create_user("mei")
    user.groups.add(Group.objects.get(name=CUSTOMER_SERVICE), Group.objects.get(name=WAREHOUSE))
    user = User.objects.get(pk=user.pk)

    assert user.has_perm(ENTER_ORDERS) and user.has_perm(CHECK_ENTRIES)
    assert not user.has_perm(PUSH_ORDERS)


def test_a_permission_granted_to_the_person_rather_than_a_role_gives_no_right(db):
    user = User.objects.create_user("lone")
    user.user_permissions.add(Permission.objects.get(codename="push_order"))
    user = User.objects.get(pk=user.pk)

    assert not user.has_perm(PUSH_ORDERS)


def test_an_inactive_user_has_no_rights(db):
    user = User.objects.create_user("gone", is_active=False)
    user.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))

    assert not User.objects.get(pk=user.pk).has_perm(ENTER_ORDERS)


def test_one_query_answers_every_permission_check_of_a_request(db, django_assert_num_queries):
    user = User.objects.create_user("fast")
    user.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))
    user = User.objects.get(pk=user.pk)

    with django_assert_num_queries(1):
        assert user.has_perm(ENTER_ORDERS)
        assert user.has_perm(CHECK_ENTRIES)
        assert user.role_codes() == (CUSTOMER_SERVICE,)

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from oms.accounts.api import MeView
from oms.channels.api import ChannelOrdersView, ChannelsView
from oms.orders import api as orders_api
from oms.orders.importing import api as import_api


class SchemaView(SpectacularAPIView):
    required_permissions = "public"


class DocsView(SpectacularSwaggerView):
    required_permissions = "public"


api_v1 = [
    path("me", MeView.as_view(), name="me"),
    path("channels", ChannelsView.as_view(), name="channels"),
    path("channels/<slug:code>/orders", ChannelOrdersView.as_view(), name="channel_orders"),
    path("orders", orders_api.OrdersView.as_view(), name="orders"),
    path("orders/drafts", orders_api.DraftsView.as_view(), name="drafts"),
    path("orders/drafts/<str:order_no>", orders_api.DraftView.as_view(), name="draft"),
    path("orders/drafts/<str:order_no>/confirm", orders_api.ConfirmEntryView.as_view(), name="draft_confirm"),
    path("orders/drafts/<str:order_no>/return", orders_api.ReturnEntryView.as_view(), name="draft_return"),
    path("orders/import", import_api.ImportOrdersView.as_view(), name="orders_import"),
    path("orders/import-template", import_api.ImportTemplateView.as_view(), name="orders_import_template"),
    path("orders/<str:order_no>", orders_api.OrderDetailView.as_view(), name="order"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
    path("", include("oms.web.urls")),
]

from django.urls import include, path

from oms.web.views import auth, entry, importing, messages, orders, picking, review, review_lists, review_rules, stock

app_name = "web"

# Django's i18n include would route to a plain function; ours declares its permission (public).
i18n_patterns = [path("setlang/", auth.SetLanguageView.as_view(), name="set_language")]

urlpatterns = [
    path("", auth.HomeView.as_view(), name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("i18n/", include(i18n_patterns)),
    path("orders/", orders.OrderListView.as_view(), name="order_list"),
    path("orders/new/", entry.OrderNewView.as_view(), name="order_new"),
    path("orders/drafts/", orders.DraftListView.as_view(), name="draft_list"),
    path("orders/import/", importing.OrderImportView.as_view(), name="order_import"),
    path("orders/import/template.<str:fmt>", importing.ImportTemplateView.as_view(), name="order_import_template"),
    path("orders/<str:order_no>/", orders.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<str:order_no>/edit/", entry.OrderEditView.as_view(), name="order_edit"),
    path("orders/<str:order_no>/confirm/", orders.ConfirmEntryView.as_view(), name="order_confirm"),
    path("orders/<str:order_no>/return/", orders.ReturnEntryView.as_view(), name="order_return"),
    path("orders/<str:order_no>/review/", review.RereviewView.as_view(), name="order_rereview"),
    path("orders/<str:order_no>/correct/", review.CorrectView.as_view(), name="order_correct"),
    path("orders/<str:order_no>/swap-sku/", review.SwapSkuView.as_view(), name="order_swap_sku"),
    path("orders/<str:order_no>/map-sku/", review.MapSkuView.as_view(), name="order_map_sku"),
    path("orders/<str:order_no>/acknowledge-remark/", review.AcknowledgeView.as_view(), name="order_acknowledge"),
    path("orders/<str:order_no>/approve/", review.ApproveView.as_view(), name="order_approve"),
    path("orders/<str:order_no>/cancel/", review.CancelView.as_view(), name="order_cancel"),
    path("orders/<str:order_no>/payment/", review.PaymentView.as_view(), name="order_payment"),
    path("review/", review.ReviewQueueView.as_view(), name="review_queue"),
    path("review/rules/", review_rules.ReviewRulesView.as_view(), name="review_rules"),
    path("review/coupons/", review_lists.CouponsView.as_view(), name="review_coupons"),
    path("review/blocklist/", review_lists.BlockListView.as_view(), name="review_blocklist"),
    path("messages/", messages.MessageListView.as_view(), name="message_list"),
    path("messages/<int:message_id>/resend/", messages.ResendMessageView.as_view(), name="message_resend"),
    path("messages/templates/", messages.TemplateListView.as_view(), name="message_templates"),
    path("messages/templates/languages/", messages.ChannelLanguageView.as_view(), name="message_language"),
    path("messages/templates/<int:template_id>/", messages.TemplateEditView.as_view(), name="message_template_edit"),
    path("pick/", picking.PickListsView.as_view(), name="pick_lists"),
    path("pick/<str:number>/", picking.ScanView.as_view(), name="pick_scan"),
    path("stock/", stock.StockLevelsView.as_view(), name="stock_levels"),
    path("stock/receive/", stock.ReceiveStockView.as_view(), name="stock_receive"),
    path("stock/adjust/", stock.AdjustStockView.as_view(), name="stock_adjust"),
    path("stock/<path:sku_code>/movements/", stock.MovementsView.as_view(), name="stock_movements"),
    path("skus/", stock.SkuListView.as_view(), name="sku_list"),
    path("skus/new/", stock.SkuCreateView.as_view(), name="sku_new"),
    path("skus/import/", stock.SkuImportView.as_view(), name="sku_import"),
    path("skus/export.<str:fmt>", stock.SkuExportView.as_view(), name="sku_export"),
    path("skus/mappings/", stock.MappingListView.as_view(), name="sku_mappings"),
    path("skus/<path:code>/edit/", stock.SkuEditView.as_view(), name="sku_edit"),
    path("warehouses/", stock.WarehouseListView.as_view(), name="warehouse_list"),
    path("warehouses/new/", stock.WarehouseCreateView.as_view(), name="warehouse_new"),
    path("warehouses/<slug:code>/", stock.WarehouseEditView.as_view(), name="warehouse_edit"),
    path("warehouses/<slug:code>/bins/", stock.BinCreateView.as_view(), name="warehouse_bins"),
    # Last, so that a walk over every route (tests/accounts/test_route_permissions.py) signs out at the end.
    path("logout/", auth.LogoutView.as_view(), name="logout"),
]

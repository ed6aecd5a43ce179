from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from oms.accounts.api import MeView
from oms.aftersales import api as after_sales_api
from oms.approvals import api as change_requests_api
from oms.channels.api import ChannelOrdersView, ChannelsView
from oms.fulfillment import api as fulfillment_api
from oms.fulfillment import interception_api
from oms.inventory import api as stock_api
from oms.notifications import api as messages_api
from oms.orders import api as orders_api
from oms.orders import archive_api, completion_api, expiry_api, reveal_api, stock_choice_api
from oms.orders import changes_api as order_changes_api
from oms.orders.importing import api as import_api
from oms.orders.review import api as review_api
from oms.payments import api as payments_api
from oms.payments import refund_api
from oms.problems import api as problems_api
from oms.shipping import api as carriers_api
from oms.shipping import api_exceptions as exceptions_api
from oms.shipping import api_handover as handover_api
from oms.shipping.api_tracking import TrackingPushView
from oms.timeliness import api as timeliness_api
from oms.web.views.auth import AdminLoginView, AdminPasswordChangeView


class SchemaView(SpectacularAPIView):
    required_permissions = "public"


class DocsView(SpectacularSwaggerView):
    required_permissions = "public"


api_v1 = [
    path("me", MeView.as_view(), name="me"),
    path("timeliness/policies/<slug:channel>", timeliness_api.DeadlinePolicyView.as_view(),
         name="timeliness_policy"),
    path("timeliness/<slug:team>", timeliness_api.TeamDeadlinesView.as_view(), name="timeliness_team"),
    path("tracking/push/<slug:adapter>", TrackingPushView.as_view(), name="tracking_push"),
    path("channels", ChannelsView.as_view(), name="channels"),
    path("channels/<slug:code>/orders", ChannelOrdersView.as_view(), name="channel_orders"),
    path("orders", orders_api.OrdersView.as_view(), name="orders"),
    path("archive/orders", archive_api.ArchiveOrdersView.as_view(), name="archive_orders"),
    path("archive/orders/export.<str:fmt>", archive_api.ArchiveExportView.as_view(), name="archive_export"),
    path("orders/drafts", orders_api.DraftsView.as_view(), name="drafts"),
    path("orders/drafts/<str:order_no>", orders_api.DraftView.as_view(), name="draft"),
    path("orders/drafts/<str:order_no>/confirm", orders_api.ConfirmEntryView.as_view(), name="draft_confirm"),
    path("orders/drafts/<str:order_no>/return", orders_api.ReturnEntryView.as_view(), name="draft_return"),
    path("orders/import", import_api.ImportOrdersView.as_view(), name="orders_import"),
    path("orders/import-template", import_api.ImportTemplateView.as_view(), name="orders_import_template"),
    path("orders/<str:order_no>", orders_api.OrderDetailView.as_view(), name="order"),
    path("orders/<str:order_no>/review", review_api.ReviewOrderView.as_view(), name="order_review"),
    path("orders/<str:order_no>/approve", review_api.ApproveAnywayView.as_view(), name="order_approve"),
    path("orders/<str:order_no>/correct", review_api.CorrectOrderView.as_view(), name="order_correct"),
    path("orders/<str:order_no>/lines/<int:line_no>/sku", review_api.SwapSkuView.as_view(), name="order_line_sku"),
    path("orders/<str:order_no>/acknowledge-remark", review_api.AcknowledgeRemarkView.as_view(),
         name="order_acknowledge_remark"),
    path("orders/<str:order_no>/payment", review_api.RecordPaymentView.as_view(), name="order_payment"),
    path("orders/<str:order_no>/top-up", order_changes_api.TopUpView.as_view(), name="order_top_up"),
    path("orders/<str:order_no>/address", order_changes_api.AddressChangeView.as_view(), name="order_address"),
    path("orders/<str:order_no>/redirection", order_changes_api.RedirectionView.as_view(),
         name="order_redirection"),
    path("orders/<str:order_no>/lines", order_changes_api.LinesView.as_view(), name="order_lines"),
    path("orders/<str:order_no>/lines/<int:line_no>", order_changes_api.LineView.as_view(), name="order_line"),
    path("orders/<str:order_no>/confirm-receipt", completion_api.ConfirmReceiptView.as_view(),
         name="order_confirm_receipt"),
    path("orders/<str:order_no>/reveal", reveal_api.RevealPersonalDataView.as_view(), name="order_reveal"),
    path("orders/<str:order_no>/stock-choice", stock_choice_api.StockChoiceView.as_view(), name="order_stock_choice"),
    path("stock-shortages", stock_choice_api.StockShortagesView.as_view(), name="stock_shortages"),
    path("refunds", refund_api.RefundsView.as_view(), name="refunds"),
    path("refunds/<str:number>", refund_api.RefundView.as_view(), name="refund"),
    path("refunds/<str:number>/verify", refund_api.VerifyRefundView.as_view(), name="refund_verify"),
    path("refunds/<str:number>/approve", refund_api.ApproveRefundView.as_view(), name="refund_approve"),
    path("refunds/<str:number>/second-approve", refund_api.SecondApproveRefundView.as_view(),
         name="refund_second_approve"),
    path("refunds/<str:number>/reject", refund_api.RejectRefundView.as_view(), name="refund_reject"),
    path("refunds/<str:number>/execute", refund_api.ExecuteRefundView.as_view(), name="refund_execute"),
    path("orders/<str:order_no>/refunds", refund_api.OrderRefundsView.as_view(), name="order_refunds"),
    path("settlement", payments_api.SettlementView.as_view(), name="settlement"),
    path("settlement/<slug:channel>/<str:day>/settle", payments_api.SettleView.as_view(), name="settlement_settle"),
    path("orders/<str:order_no>/allocate", fulfillment_api.AllocateOrderView.as_view(), name="order_allocate"),
    path("pick-lists", fulfillment_api.PickListsView.as_view(), name="pick_lists"),
    path("carriers", carriers_api.CarriersView.as_view(), name="carriers"),
    path("carriers/<slug:code>", carriers_api.CarrierView.as_view(), name="carrier"),
    path("rate-cards", carriers_api.RateCardsView.as_view(), name="rate_cards"),
    path("rate-cards/<slug:carrier>/<slug:warehouse>", carriers_api.RateCardView.as_view(), name="rate_card"),
    path("carrier-rules", carriers_api.CarrierRulesView.as_view(), name="carrier_rules"),
    path("carrier-rules/<str:rule_id>", carriers_api.CarrierRuleView.as_view(), name="carrier_rule"),
    path("packages/<str:number>/choose-carrier", carriers_api.ChooseCarrierAgainView.as_view(),
         name="package_choose_carrier"),
    path("packages/<str:number>/carrier", carriers_api.PackageCarrierView.as_view(), name="package_carrier"),
    path("handover-lists", handover_api.HandoverListsView.as_view(), name="handover_lists"),
    path("handover-lists/<str:number>", handover_api.HandoverListView.as_view(), name="handover_list"),
    path("handover-lists/<str:number>/packages", handover_api.HandoverPackagesView.as_view(),
         name="handover_list_packages"),
    path("handover-lists/<str:number>/packages/<str:package>", handover_api.HandoverPackageView.as_view(),
         name="handover_list_package"),
    path("handover-lists/<str:number>/hand-over", handover_api.HandOverView.as_view(), name="handover_list_hand_over"),
    path("handover-lists/<str:number>/pdf", handover_api.HandoverPdfView.as_view(), name="handover_list_pdf"),
    path("channels/<slug:code>/allocation-strategy", fulfillment_api.AllocationStrategyView.as_view(),
         name="channel_allocation_strategy"),
    path("channels/<slug:code>/unpaid-timeout", expiry_api.UnpaidTimeoutView.as_view(),
         name="channel_unpaid_timeout"),
    path("interceptions", interception_api.InterceptionsView.as_view(), name="interceptions"),
    path("interceptions/<str:interception_id>/confirm", interception_api.ConfirmInterceptionView.as_view(),
         name="interception_confirm"),
    path("interceptions/<str:interception_id>/too-late", interception_api.TooLateInterceptionView.as_view(),
         name="interception_too_late"),
    path("pick-lists/<str:number>", fulfillment_api.PickListView.as_view(), name="pick_list"),
    path("pick-lists/<str:number>/pdf", fulfillment_api.PickListPdfView.as_view(), name="pick_list_pdf"),
    path("labels", fulfillment_api.LabelsView.as_view(), name="labels"),
    path("packages/merge", fulfillment_api.MergeView.as_view(), name="packages_merge"),
    path("packages/merge-candidates", fulfillment_api.MergeCandidatesView.as_view(), name="merge_candidates"),
    path("packages/<str:number>/split", fulfillment_api.SplitView.as_view(), name="package_split"),
    path("packages/<str:number>/packing", fulfillment_api.PackingView.as_view(), name="package_packing"),
    path("packages/<str:number>/recheck", fulfillment_api.RecheckView.as_view(), name="package_recheck"),
    path("packages/<str:number>/pack", fulfillment_api.PackView.as_view(), name="package_pack"),
    path("orders/<str:order_no>/cancel", review_api.CancelOrderView.as_view(), name="order_cancel"),
    path("review/queue", review_api.ReviewQueueView.as_view(), name="review_queue"),
    path("review/rules", review_api.ReviewRulesView.as_view(), name="review_rules"),
    path("review/rules/<slug:code>", review_api.ReviewRuleView.as_view(), name="review_rule"),
    path("review/coupons", review_api.CouponsView.as_view(), name="review_coupons"),
    path("review/coupons/<int:coupon_id>", review_api.CouponView.as_view(), name="review_coupon"),
    path("review/blocklist", review_api.BlockListView.as_view(), name="review_blocklist"),
    path("review/blocklist/<int:entry_id>", review_api.BlockListEntryView.as_view(), name="review_blocklist_entry"),
    path("skus/<path:code>/pick-face", stock_api.PickFaceView.as_view(), name="sku_pick_face"),
    path("stock", stock_api.StockLevelsView.as_view(), name="stock_levels"),
    path("stock/movements", stock_api.MovementsView.as_view(), name="stock_movements"),
    path("stock/receipts", stock_api.ReceiptsView.as_view(), name="stock_receipts"),
    path("stock/adjustments", stock_api.AdjustmentsView.as_view(), name="stock_adjustments"),
    path("channels/<slug:code>/sku-mappings", stock_api.SkuMappingsView.as_view(), name="channel_sku_mappings"),
    path("messages", messages_api.MessagesView.as_view(), name="messages"),
    path("messages/<int:message_id>", messages_api.MessageDetailView.as_view(), name="message"),
    path("messages/<int:message_id>/resend", messages_api.ResendMessageView.as_view(), name="message_resend"),
    path("message-templates", messages_api.MessageTemplatesView.as_view(), name="message_templates"),
    path("message-templates/<int:template_id>", messages_api.MessageTemplateView.as_view(), name="message_template"),
    path("message-languages", messages_api.ChannelLanguagesView.as_view(), name="message_languages"),
    path("message-languages/<slug:code>", messages_api.ChannelLanguageView.as_view(), name="message_language"),
    path("logistics/exceptions", exceptions_api.ExceptionsView.as_view(), name="logistics_exceptions"),
    path("logistics/exceptions/<str:number>", exceptions_api.ExceptionView.as_view(), name="logistics_exception"),
    path("logistics/exceptions/<str:number>/assign", exceptions_api.AssignView.as_view(),
         name="logistics_exception_assign"),
    path("logistics/exceptions/<str:number>/contact-carrier", exceptions_api.ContactCarrierView.as_view(),
         name="logistics_exception_contact_carrier"),
    path("logistics/exceptions/<str:number>/contact-buyer", exceptions_api.ContactBuyerView.as_view(),
         name="logistics_exception_contact_buyer"),
    path("logistics/exceptions/<str:number>/reship", exceptions_api.ReshipView.as_view(),
         name="logistics_exception_reship"),
    path("logistics/exceptions/<str:number>/claim", exceptions_api.ClaimView.as_view(),
         name="logistics_exception_claim"),
    path("logistics/exceptions/<str:number>/close", exceptions_api.CloseView.as_view(),
         name="logistics_exception_close"),
    path("track", exceptions_api.PublicTrackingView.as_view(), name="track"),
    path("after-sales", after_sales_api.AfterSalesView.as_view(), name="after_sales"),
    path("after-sales/<str:number>", after_sales_api.AfterSalesDetailView.as_view(), name="after_sales_request"),
    path("after-sales/<str:number>/approve", after_sales_api.ApproveView.as_view(), name="after_sales_approve"),
    path("after-sales/<str:number>/reject", after_sales_api.RejectView.as_view(), name="after_sales_reject"),
    path("after-sales/<str:number>/withdraw", after_sales_api.WithdrawView.as_view(), name="after_sales_withdraw"),
    path("after-sales/<str:number>/receive", after_sales_api.ReceiveView.as_view(), name="after_sales_receive"),
    path("after-sales/<str:number>/send-replacement", after_sales_api.SendReplacementView.as_view(),
         name="after_sales_send_replacement"),
    path("after-sales/<str:number>/collect-difference", after_sales_api.CollectDifferenceView.as_view(),
         name="after_sales_collect_difference"),
    path("after-sales/<str:number>/photos", after_sales_api.PhotosView.as_view(), name="after_sales_photos"),
    path("after-sales/<str:number>/photos/<str:photo_id>", after_sales_api.PhotoView.as_view(),
         name="after_sales_photo"),
    path("problems", problems_api.ProblemsView.as_view(), name="problems"),
    path("problems/review", problems_api.ReviewView.as_view(), name="problems_review"),
    path("problems/rules", problems_api.RulesView.as_view(), name="problems_rules"),
    path("problems/<str:number>", problems_api.ProblemView.as_view(), name="problem"),
    path("problems/<str:number>/acknowledge", problems_api.AcknowledgeView.as_view(), name="problem_acknowledge"),
    path("problems/<str:number>/comment", problems_api.CommentView.as_view(), name="problem_comment"),
    path("problems/<str:number>/assign", problems_api.AssignView.as_view(), name="problem_assign"),
    path("problems/<str:number>/resolve", problems_api.ResolveView.as_view(), name="problem_resolve"),
    path("problems/<str:number>/close", problems_api.CloseView.as_view(), name="problem_close"),
    path("problems/<str:number>/reopen", problems_api.ReopenView.as_view(), name="problem_reopen"),
    path("change-requests", change_requests_api.ChangeRequestsView.as_view(), name="change_requests"),
    path("change-requests/<str:number>", change_requests_api.ChangeRequestView.as_view(), name="change_request"),
    path("change-requests/<str:number>/approve", change_requests_api.ApproveChangeView.as_view(),
         name="change_request_approve"),
    path("change-requests/<str:number>/reject", change_requests_api.RejectChangeView.as_view(),
         name="change_request_reject"),
    path("change-requests/<str:number>/withdraw", change_requests_api.WithdrawChangeView.as_view(),
         name="change_request_withdraw"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api_docs"),
    # Before the admin site: its own login would sign in without the second factor.
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/password_change/", AdminPasswordChangeView.as_view(), name="admin_password_change"),
    path("admin/", admin.site.urls),
    path("", include("oms.web.urls")),
]

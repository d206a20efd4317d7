"""Contains all the data models used in inputs/outputs"""

from .card_order import CardOrder
from .create_fiat_payout_order_request import CreateFiatPayoutOrderRequest
from .create_fiat_payout_order_request_account_type import CreateFiatPayoutOrderRequestAccountType
from .create_fiat_payout_order_request_payout_channel import CreateFiatPayoutOrderRequestPayoutChannel
from .create_fiat_payout_order_response import CreateFiatPayoutOrderResponse
from .create_order_by_credit_card_request import CreateOrderByCreditCardRequest
from .create_order_by_credit_card_request_currency import CreateOrderByCreditCardRequestCurrency
from .create_order_by_credit_card_request_lanuage import CreateOrderByCreditCardRequestLanuage
from .create_order_by_credit_card_response import CreateOrderByCreditCardResponse
from .create_order_request import CreateOrderRequest
from .create_order_request_crypto_currency import CreateOrderRequestCryptoCurrency
from .create_order_response import CreateOrderResponse
from .credit_card_exchange_rate import CreditCardExchangeRate
from .crypto_order import CryptoOrder
from .exchange_rate import ExchangeRate
from .exchange_request import ExchangeRequest
from .exchange_response import ExchangeResponse
from .exchange_result import ExchangeResult
from .fiat_payout_order import FiatPayoutOrder
from .get_exchange_rate_for_credit_card_response import GetExchangeRateForCreditCardResponse
from .get_exchange_rate_response import GetExchangeRateResponse
from .get_merchant_balance_response import GetMerchantBalanceResponse
from .get_order_detail_response import GetOrderDetailResponse
from .get_wallet_address_response import GetWalletAddressResponse
from .kyc_record import KycRecord
from .kyc_record_gender import KycRecordGender
from .kyc_result import KycResult
from .merchant_balance import MerchantBalance
from .order_detail import OrderDetail
from .order_status import OrderStatus
from .product import Product
from .purchase_type import PurchaseType
from .pwpp_payment import PwppPayment
from .pwpp_request import PwppRequest
from .pwpp_request_currency import PwppRequestCurrency
from .pwpp_request_store_cc import PwppRequestStoreCc
from .pwpp_response import PwppResponse
from .submit_kyc_request import SubmitKycRequest
from .submit_kyc_response import SubmitKycResponse
from .wallet_address import WalletAddress
from .webhook_notification import WebhookNotification
from .webhook_notification_order_status_type_1 import WebhookNotificationOrderStatusType1
from .webhook_param_form import WebhookParamForm
from .webhook_reply import WebhookReply
from .withdraw_order import WithdrawOrder
from .withdraw_request import WithdrawRequest
from .withdraw_response import WithdrawResponse

__all__ = (
    "CardOrder",
    "CreateFiatPayoutOrderRequest",
    "CreateFiatPayoutOrderRequestAccountType",
    "CreateFiatPayoutOrderRequestPayoutChannel",
    "CreateFiatPayoutOrderResponse",
    "CreateOrderByCreditCardRequest",
    "CreateOrderByCreditCardRequestCurrency",
    "CreateOrderByCreditCardRequestLanuage",
    "CreateOrderByCreditCardResponse",
    "CreateOrderRequest",
    "CreateOrderRequestCryptoCurrency",
    "CreateOrderResponse",
    "CreditCardExchangeRate",
    "CryptoOrder",
    "ExchangeRate",
    "ExchangeRequest",
    "ExchangeResponse",
    "ExchangeResult",
    "FiatPayoutOrder",
    "GetExchangeRateForCreditCardResponse",
    "GetExchangeRateResponse",
    "GetMerchantBalanceResponse",
    "GetOrderDetailResponse",
    "GetWalletAddressResponse",
    "KycRecord",
    "KycRecordGender",
    "KycResult",
    "MerchantBalance",
    "OrderDetail",
    "OrderStatus",
    "Product",
    "PurchaseType",
    "PwppPayment",
    "PwppRequest",
    "PwppRequestCurrency",
    "PwppRequestStoreCc",
    "PwppResponse",
    "SubmitKycRequest",
    "SubmitKycResponse",
    "WalletAddress",
    "WebhookNotification",
    "WebhookNotificationOrderStatusType1",
    "WebhookParamForm",
    "WebhookReply",
    "WithdrawOrder",
    "WithdrawRequest",
    "WithdrawResponse",
)

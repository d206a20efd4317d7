<?php
// The PHP demo of the C-Pay API document v2.0, section 16 ("API Signature"), verbatim but for this comment
// and a newline between the two echoes (the document prints the JSON and the signature run together).
$arr = [
    'amount'=>'100',
    'merchantTradeNo'=>'test0001',
    'merchantId'=>'20000387',
    'createTime'=>'1658387195',
    'fiatCurrency'=>'USD',
    'userId'=>'83453',
    'cryptoCurrency'=>'USDT',
    'purchaseType'=>'1'
];

ksort($arr);
$url = '';
if (is_array($arr) && count($arr)>0) {
    foreach ($arr as $k => $v) {
        $url = $url . "{$k}={$v}&";
    }
}
$url = $url.'key=z6h3cuw9grtbun9sgg5u1j35u72hycq0';
$secret = "z6h3cuw9grtbun9sgg5u1j35u72hycq0";
echo json_encode($arr);
echo "\n";
echo hash_hmac("sha256", $url, $secret);

// The Java demo of the C-Pay API document v2.0, section 16 ("API Signature"), copied verbatim except for
// what it takes to compile (the document splits the demo across two code blocks and wraps lines):
//   1. the `try` in main() is joined to its `catch`, which the document prints in the second block;
//   2. the string literal "UTF-8" in HMACSHA256(), wrapped by the document onto two lines, is rejoined.
// Nothing else is changed: same key, same parameters, same sorting and hex encoding. It prints the string
// it signs, then the signature. tests/signing/test_reference_demos.py compiles and runs it.
package com.lianjing.controller;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.*;

public class CheckSign {
    public static void main(String[] args) {
        String key = "*iu6hufsi%^54fyt";
        Map<String, Object> params = new HashMap<>();
        params.put("amount", "32");
        params.put("merchantTradeNo", "1018163312113640372232");
        params.put("merchantId", "20000092");
        params.put("createTime", "20220726100218");
        params.put("fiatCurrency", "USD");
        params.put("userId", "10181633");
        params.put("cryptoCurrency", "USDT");
        params.put("purchaseType", "1");
        Collection keySet = params.keySet();
        List list = new ArrayList(keySet);
        Collections.sort(list);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
            sb.append(list.get(i) + "=" +
params.get(list.get(i))+"&");
        }
        sb.append("key="+key);
        System.out.println(sb.toString());
        try {
            System.out.println(HMACSHA256(sb.toString(),key));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }

    }

    public static String HMACSHA256(String data, String key)
throws Exception {

        Mac sha256_HMAC = Mac.getInstance("HmacSHA256");

        SecretKeySpec secret_key = new
SecretKeySpec(key.getBytes("UTF-8"), "HmacSHA256");

        sha256_HMAC.init(secret_key);

        byte[] array = sha256_HMAC.doFinal(data.getBytes("UTF-8"));

        StringBuilder sb = new StringBuilder();

        for (byte item : array) {

            sb.append(Integer.toHexString((item & 0xFF) |
0x100).substring(1, 3));

        }

        return sb.toString().toLowerCase();

    }
}

// A second Java oracle for the signature: the algorithm of the document's Java demo (CheckSign.java: a
// HashMap, Collections.sort on the names, "name=value&" pairs, "key=" + secret, the same HMACSHA256 method
// copied verbatim) applied to the test vectors of sign_vectors.json, plus the one rule of section 16 the
// demo does not show: empty values are left out.
//
// Input on stdin, one vector per line: hex(UTF-8 secret), then tab-separated hex(name) "=" hex(value)
// pairs; hex keeps tabs, newlines and any Unicode out of the framing. Output: one signature per line.
// tests/signing/test_reference_demos.py compiles and runs it with the JDK.

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class SignVectors {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cells = line.split("\t", -1);
            String key = unhex(cells[0]);
            Map<String, Object> params = new HashMap<>();
            for (int c = 1; c < cells.length; c++) {
                String[] pair = cells[c].split("=", -1);
                String value = unhex(pair[1]);
                if (!value.isEmpty()) {
                    params.put(unhex(pair[0]), value);
                }
            }
            Collection keySet = params.keySet();
            List list = new ArrayList(keySet);
            Collections.sort(list);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < list.size(); i++) {
                sb.append(list.get(i) + "=" + params.get(list.get(i)) + "&");
            }
            sb.append("key=" + key);
            System.out.println(HMACSHA256(sb.toString(), key));
        }
    }

    static String unhex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static String HMACSHA256(String data, String key) throws Exception {
        Mac sha256_HMAC = Mac.getInstance("HmacSHA256");
        SecretKeySpec secret_key = new SecretKeySpec(key.getBytes("UTF-8"), "HmacSHA256");
        sha256_HMAC.init(secret_key);
        byte[] array = sha256_HMAC.doFinal(data.getBytes("UTF-8"));
        StringBuilder sb = new StringBuilder();
        for (byte item : array) {
            sb.append(Integer.toHexString((item & 0xFF) | 0x100).substring(1, 3));
        }
        return sb.toString().toLowerCase();
    }
}

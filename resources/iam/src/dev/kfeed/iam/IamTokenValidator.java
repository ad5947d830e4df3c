package dev.kfeed.iam;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4PresignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

/**
 * Checks MSK IAM tokens the way MSK does, for `kfeed local up --iam`: the token is the
 * base64url form of a SigV4-presigned URL (GET https://kafka.REGION.amazonaws.com/?Action=
 * kafka-cluster:Connect&X-Amz-...). The action, host, date and expiry are checked, then the
 * same request is presigned with AWS's own Java signer and the given access key's secret, and
 * the signatures compared. The principal is the identity the key belongs to.
 *
 * As on MSK, a token is good until its own X-Amz-Expires (at most 900 s after X-Amz-Date); how
 * long a session lasts before the client must re-authenticate is the listener's
 * connections.max.reauth.ms, not this handler's business. AWS's Java client re-sends the token
 * it holds (good for 900 s) on each re-authentication, so capping the token at the session
 * length would refuse it.
 *
 * JAAS options: keysFile (aws_access_key_id, aws_secret_access_key), identity, region.
 *
 * A refusal is thrown as SaslAuthenticationException, whose message Kafka sends to the client.
 */
public final class IamTokenValidator implements AuthenticateCallbackHandler {
    private static final String ACTION = "kafka-cluster:Connect";
    private static final String SERVICE = "kafka-cluster";
    private static final long CLOCK_SKEW_SECONDS = 300;
    /** MSK's longest token: the signers' X-Amz-Expires. */
    private static final long MAX_TOKEN_SECONDS = 900;
    private static final DateTimeFormatter AMZ_DATE =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private String expectedHost;
    private String region;
    private String accessKeyId;
    private String secretAccessKey;
    private String identity;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
        region = (String) options.get("region");
        expectedHost = "kafka." + region + ".amazonaws.com";
        Properties keys = new Properties();
        try (InputStream in = Files.newInputStream(Paths.get((String) options.get("keysFile")))) {
            keys.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the IAM keys file: " + e.getMessage(), e);
        }
        // The file is in AWS's shared-credentials format, which a properties reader takes as is.
        accessKeyId = keys.getProperty("aws_access_key_id");
        secretAccessKey = keys.getProperty("aws_secret_access_key");
        identity = (String) options.get("identity");
    }

    @Override
    public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerValidatorCallback) {
                OAuthBearerValidatorCallback validation = (OAuthBearerValidatorCallback) callback;
                validation.token(validate(validation.tokenValue(), Instant.now()));
            } else if (callback instanceof OAuthBearerExtensionsValidatorCallback) {
                OAuthBearerExtensionsValidatorCallback extensions = (OAuthBearerExtensionsValidatorCallback) callback;
                extensions.inputExtensions().map().keySet().forEach(extensions::valid);
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private static SaslAuthenticationException refuse(String reason) {
        return new SaslAuthenticationException("IAM token refused: " + reason);
    }

    OAuthBearerToken validate(String token, Instant now) {
        Map<String, String> query;
        URI url;
        try {
            url = URI.create(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            query = parseQuery(url.getRawQuery());
        } catch (IllegalArgumentException e) {
            throw refuse("not a base64url presigned URL");
        }
        if (!ACTION.equals(query.get("Action"))) throw refuse("the action is not " + ACTION);
        if (!expectedHost.equals(url.getHost())) {
            throw refuse("signed for host " + url.getHost() + ", this cluster is " + expectedHost + " (region " + region + ")");
        }
        if (!"AWS4-HMAC-SHA256".equals(query.get("X-Amz-Algorithm"))) throw refuse("not a SigV4 (AWS4-HMAC-SHA256) signature");
        if (!"host".equals(query.get("X-Amz-SignedHeaders"))) throw refuse("the signed headers are not just host");
        Instant signedAt;
        long expires;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(query.getOrDefault("X-Amz-Date", "")));
            expires = Long.parseLong(query.getOrDefault("X-Amz-Expires", ""));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw refuse("X-Amz-Date or X-Amz-Expires is missing or malformed");
        }
        if (expires <= 0) throw refuse("X-Amz-Expires is not a positive number of seconds");
        Instant expiresAt = signedAt.plusSeconds(Math.min(expires, MAX_TOKEN_SECONDS));
        if (!now.isBefore(expiresAt)) throw refuse("expired at " + expiresAt);
        if (signedAt.isAfter(now.plusSeconds(CLOCK_SKEW_SECONDS))) throw refuse("signed in the future (" + signedAt + ")");
        String[] scope = query.getOrDefault("X-Amz-Credential", "").split("/");
        if (scope.length != 5 || !SERVICE.equals(scope[3]) || !"aws4_request".equals(scope[4])) {
            throw refuse("X-Amz-Credential is not a kafka-cluster scope");
        }
        if (!scope[2].equals(region)) throw refuse("signed for region " + scope[2] + ", this cluster is in " + region);
        if (!scope[0].equals(accessKeyId)) throw refuse("unknown access key " + scope[0]);
        String given = query.getOrDefault("X-Amz-Signature", "");
        String expected = presignedSignature(query, signedAt, expires);
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), expected.getBytes(StandardCharsets.US_ASCII))) {
            throw refuse("the signature does not match (wrong secret access key?)");
        }
        long lifetimeMs = expiresAt.toEpochMilli();
        String principal = identity;
        long startMs = signedAt.toEpochMilli();
        return new OAuthBearerToken() {
            @Override public String value() { return token; }
            @Override public Set<String> scope() { return Set.of(); }
            @Override public long lifetimeMs() { return lifetimeMs; }
            @Override public String principalName() { return principal; }
            @Override public Long startTimeMs() { return startMs; }
        };
    }

    /** Presigns the request the client should have signed, with AWS's signer, at the token's date. */
    private String presignedSignature(Map<String, String> query, Instant signedAt, long expires) {
        String sessionToken = query.get("X-Amz-Security-Token");
        AwsCredentials credentials = sessionToken == null
            ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
            : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken);
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
            .method(SdkHttpMethod.GET)
            .protocol("https")
            .host(expectedHost)
            .encodedPath("/")
            .putRawQueryParameter("Action", ACTION)
            .build();
        Aws4PresignerParams params = Aws4PresignerParams.builder()
            .awsCredentials(credentials)
            .signingName(SERVICE)
            .signingRegion(Region.of(region))
            .signingClockOverride(Clock.fixed(signedAt, ZoneOffset.UTC))
            .expirationTime(signedAt.plusSeconds(expires))
            .build();
        SdkHttpFullRequest signed = Aws4Signer.create().presign(request, params);
        return signed.firstMatchingRawQueryParameter("X-Amz-Signature").orElse("");
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) return query;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }

    @Override
    public void close() {
    }
}

// The SDK ships no types (there is no @types package); the app only needs `init`, and
// zaf-client.ts types the client it returns.
declare module 'zendesk_app_framework_sdk' {
  const ZAFClient: { init(callback?: (context: unknown) => void): unknown };
  export = ZAFClient;
}

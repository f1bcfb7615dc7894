/** What the last action did: an error (announced at once) or a status line (announced politely). */
export function Feedback(props: { error?: string; status?: string }) {
  return (
    <>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      {props.status && (
        <p class="status" role="status">
          {props.status}
        </p>
      )}
    </>
  );
}

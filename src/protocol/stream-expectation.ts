/**
 * What one origin's publishes should have delivered on one topic, as the publisher saw
 * them: the seqs scheduled in the measurement window, [firstSeq, lastSeq], less those whose
 * publish the server refused. Receivers count loss per stream against it (DESIGN §4).
 */
export interface StreamExpectation {
  readonly originKey: number;
  readonly topicIndex: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Seqs in [firstSeq, lastSeq] whose publish failed: not expected, "unexpected" if delivered. */
  readonly failedSeqs: readonly number[];
}

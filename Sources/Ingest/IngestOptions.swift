import ScalefitCore

/// The formats scalefit reads. ``Ingest/read(paths:options:)`` detects the format from the
/// content (and the file name where the format puts facts there); `--format` overrides it.
public enum LogFormat: String, Sendable, CaseIterable, Codable {
    /// Delimited text, wide (`step,<metric>…`) or long (`run,metric,x,value`).
    case csv
    /// One JSON document: an array of objects (records) or of `[wall_time, step, value]`.
    case json
    /// One JSON object per line, wide or long.
    case jsonl
    /// W&B chart export: `"Step","<run> - <metric>","… __MIN","… __MAX"`, every cell quoted.
    case wandbPanel = "wandb-panel"
    /// W&B project runs table: `"Name","State","Notes","User","Tags","Created","Runtime","Sweep",…`.
    case wandbRuns = "wandb-runs"
    /// W&B API history (`run.history()` / `scan_history()` saved by pandas): `_step`, `_runtime`, `_timestamp`.
    case wandbHistory = "wandb-history"
    /// TensorBoard download: `Wall time,Step,Value`; run and tag come from the file name.
    case tensorboardCSV = "tensorboard-csv"
    /// TensorBoard download: `[[wall_time, step, value], …]`.
    case tensorboardJSON = "tensorboard-json"
    /// TensorBoard event files (TFRecord of `Event` protocol buffers).
    case tfevents
    /// Hugging Face Trainer `trainer_state.json` (`log_history`).
    case trainerState = "hf-trainer-state"
    /// MLflow file store: `mlruns/<experiment>/<run>/metrics/<key>`.
    case mlflow
    /// MLflow's SQLite store (`mlflow.db`, MLflow 3's default): tables `experiments`, `runs`,
    /// `tags`, `metrics`; read through SQLite itself.
    case mlflowDB = "mlflow-db"
    /// W&B offline runs: `wandb/offline-run-*/run-*.wandb`, a record log of protobuf `Record`s.
    case wandbOffline = "wandb-offline"
    /// PyTorch Lightning `CSVLogger` `metrics.csv` (`epoch`, `step`, one column per key).
    case lightning
    /// One row per model: N, D, C and a final loss, with unit suffixes (`70M`, `1.3B`).
    case sweep
    /// nanoGPT `train.py` output: `step N: train loss …, val loss …` and `iter N: loss …`.
    case nanogpt
    /// build-nanogpt / llm.c: `step N | loss … | lr …` lines (llm.c's `step N/M | loss …`
    /// with its parameter table), `N train|val X` log files, or llm.c's `main.log`
    /// (`s:N trl:X`, `s:N tel:X`).
    case llmc
    /// Megatron-LM: `iteration N/ M | key: value | …` and `validation loss at iteration N | …`.
    case megatron
    /// OLMo: a `[step=N/M]` header line followed by indented `name=value` lines.
    case olmo
    /// Hugging Face Trainer stdout: one Python dict per line (`{'loss': 2.88, 'epoch': 0.25}`).
    case hfStdout = "hf-stdout"
}

/// What to do with several points at the same x in one series (a restart re-logs steps).
public enum RepeatedStepPolicy: String, Sendable, CaseIterable, Codable {
    /// Keep the point logged last (the resumed run's value). The default, as TensorBoard does.
    case last
    /// Keep the point logged first.
    case first
    /// Replace them with their mean.
    case mean
    /// Keep every point (sorted by x, ties in file order).
    case keep
}

/// How to read the inputs: which columns, which metric, which x, and the clean-up policies.
public struct IngestOptions: Sendable {
    /// Force a reader instead of detecting the format.
    public var format: LogFormat?
    /// The x column (`step`, `tokens`, a column name, or for sweep tables `N`, `D`, `C`).
    /// `tokens` without a tokens column means step × ``tokensPerStep``.
    public var xColumn: String?
    /// The second input of a two-input law (D in L(N, D)); fills `Series.x2`.
    public var x2Column: String?
    /// The value column; `nil` takes every numeric column (wide) or the loss (sweep).
    public var yColumn: String?
    /// Columns whose values split rows into series; the values become `run` and labels.
    public var groupColumns: [String]
    /// Keep only series of these metrics: exact names (`eval/loss`) or globs (`eval/*`).
    /// Empty: every metric.
    public var metrics: [String]
    /// The one metric kept (the first of ``metrics``); setting it replaces them.
    public var metric: String? {
        get { metrics.first }
        set { metrics = newValue.map { [$0] } ?? [] }
    }
    /// Multiply steps by this to get tokens (batch × sequence length × accumulation × ranks).
    public var tokensPerStep: Double?
    /// Drop points with x below this (cuts warm-up).
    public var minX: Double?
    /// What to do with repeated x values; the default keeps the last.
    ///
    /// Left at the default, a series that repeats many x in a way no restart does (a
    /// table keyed wrongly) is an error (``MisKeyed``); set, that error gives way to the
    /// policy.
    public var repeatedSteps: RepeatedStepPolicy { didSet { repeatedStepsChosen = true } }
    /// Whether ``repeatedSteps`` was set (rather than left at its default).
    public var repeatedStepsChosen = false
    /// A bad file found while walking a folder stops the read (rather than being reported
    /// and skipped).
    public var strict = false
    /// How deep a folder is walked (1: only the files in it).
    public var maxDepth = 8
    /// Concatenate the runs of each metric in input order into one series; a later run wins
    /// where it overlaps an earlier one (a resumed run).
    public var stitch: Bool
    /// In sweep tables, derive the missing one of N, D, C from C ≈ 6·N·D.
    public var deriveFromCompute: Bool
    /// The run name to use instead of the one found in the file.
    public var run: String?
    /// The cell delimiter of delimited text; `nil` sniffs it.
    public var delimiter: UInt8?
    /// Keep rows of runs that did not finish (W&B `State`, sweep `status`); off by default.
    public var includeUnfinished: Bool
    /// When to compute each input file's SHA-256 (``SourceInfo/sha256``).
    public var digest: DigestMode
    /// Read delimited rows whose cells are all numbers or empty in one pass (on by default);
    /// off, every row takes the general path. The answer is the same either way, which the
    /// tests and the fuzzer check by reading both ways.
    public var plainRows = true

    public init() {
        format = nil
        xColumn = nil
        x2Column = nil
        yColumn = nil
        groupColumns = []
        metrics = []
        tokensPerStep = nil
        minX = nil
        repeatedSteps = .last
        stitch = false
        deriveFromCompute = false
        run = nil
        delimiter = nil
        includeUnfinished = false
        digest = .concurrent
    }
}

/// When ``Ingest`` computes the SHA-256 of an input file.
///
/// The hash costs about as much CPU as parsing the file, so it is computed only when an
/// output names it (every `--json` document does).
public enum DigestMode: String, Sendable, CaseIterable, Codable {
    /// Not at all: ``SourceInfo/sha256`` is the empty string.
    case none
    /// On the reading thread, over the bytes as they are parsed.
    case inline
    /// On a second thread that reads the file again (from the page cache) while the first
    /// parses it: the same digest, sooner by wall clock, the same CPU in total. Standard
    /// input, which cannot be read twice, is hashed inline.
    case concurrent
}

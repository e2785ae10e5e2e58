import ScalefitCore

/// Built-in data for `scalefit demo`.
enum DemoData {
    static let attribution =
        "NMT learning curve \"6 Enc, 6 Dec\" (Training == 1 rows), Alabdulmohsin et al. 2022, google-research/revisiting_neural_scaling_laws, CC BY 4.0"

    /// Log-perplexity against examples seen, from benchmark.lang.csv (unchanged values).
    static let nmtLearningCurve = Series(
        run: "6 Enc, 6 Dec", metric: "log_perplexity",
        x: [5e5, 1e6, 2e6, 4e6, 8e6, 1.6e7, 3.2e7, 6.4e7, 1.28e8, 2.56e8],
        values: [
            0.9311752923076924, 0.7439282076923077, 0.6362391538461539, 0.5567884999999999,
            0.4820073461538462, 0.40960946153846156, 0.3737405153846154, 0.3531731307692308,
            0.34907098076923077, 0.3402780576923077,
        ])
}

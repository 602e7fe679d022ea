enum AnalysisPlaceholder {}

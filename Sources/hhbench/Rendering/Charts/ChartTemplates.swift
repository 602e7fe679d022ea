import Mustache

/// The chart templates, one for `trend --format svg` and the report: Mustache escapes every
/// `{{value}}` for HTML and XML (`& < > " '`), and `ChartModel` passes names from the data through
/// `SafeText` first, so no name can end an element or hide as a control character. The only
/// `{{{raw}}}` values are coordinate lists and point values, which `Coordinate` and `HumanUnits`
/// write from numbers alone, and SVG this file's templates rendered.
enum ChartTemplates {
    /// The colours: Okabe and Ito's colour-blind-safe palette ("Color Universal Design", 2008);
    /// change kinds differ in dash pattern too, and dark mode follows `prefers-color-scheme`.
    static let style = """
        .hh-chart{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:11px}
        .hh-chart .bg{fill:#fff}.hh-chart .heading{font-size:13px;font-weight:600;fill:#1f2328}
        .hh-chart .grid{stroke:#e5e5e5}.hh-chart .axis{stroke:#57606a}.hh-chart .tick{fill:#57606a}
        .hh-chart .sha{font-family:ui-monospace,monospace}
        .hh-chart .line{fill:none;stroke:#0072B2;stroke-width:1.5}
        .hh-chart .dot{fill:#0072B2;stroke:none}
        .hh-chart .band{fill:#56B4E9;fill-opacity:.28;stroke:none}
        .hh-chart .segment{stroke:#E69F00;stroke-width:2.5}
        .hh-chart .change{stroke-width:1.5}.hh-chart .regression{stroke:#D55E00;fill:#D55E00;stroke-dasharray:6 3}
        .hh-chart .improvement{stroke:#009E73;fill:#009E73;stroke-dasharray:2 3}
        .hh-chart text.regression,.hh-chart text.improvement{stroke:none}
        .hh-chart .environment{stroke:#CC79A7;stroke-width:1.5;stroke-dasharray:1 2}.hh-chart text.environment{fill:#CC79A7;stroke:none}
        .hh-chart .outlier{fill:none;stroke:#D55E00;stroke-width:1.5}
        .hh-chart .spark{fill:none;stroke:#0072B2;stroke-width:1.2}
        @media (prefers-color-scheme: dark){.hh-chart .bg{fill:#0d1117}.hh-chart .heading{fill:#e6edf3}
        .hh-chart .grid{stroke:#30363d}.hh-chart .axis{stroke:#8b949e}.hh-chart .tick{fill:#8b949e}
        .hh-chart .line,.hh-chart .spark{stroke:#56B4E9}.hh-chart .dot{fill:#56B4E9}}
        """

    static let chart = """
        <svg xmlns="http://www.w3.org/2000/svg" class="hh-chart" role="img" aria-labelledby="{{id}}-t {{id}}-d" \
        viewBox="0 0 {{width}} {{height}}" width="{{width}}" height="{{height}}"{{#y}} y="{{y}}"{{/y}} \
        data-commits="{{commits}}" data-values="{{{values}}}" data-unit="{{unit}}" data-left="{{left}}" data-right="{{right}}">
        <title id="{{id}}-t">{{title}}</title><desc id="{{id}}-d">{{description}}</desc>
        <defs><marker id="{{id}}-dot" viewBox="0 0 6 6" refX="3" refY="3" markerWidth="4.5" markerHeight="4.5" markerUnits="userSpaceOnUse"><circle class="dot" cx="3" cy="3" r="3"/></marker></defs>
        <rect class="bg" width="100%" height="100%"/>
        <text class="heading" x="{{left}}" y="20">{{title}}</text>
        {{#ticks}}<line class="grid" x1="{{left}}" x2="{{right}}" y1="{{y}}" y2="{{y}}"/><text class="tick" x="{{labelX}}" y="{{labelY}}" text-anchor="end">{{label}}</text>
        {{/ticks}}<line class="axis" x1="{{left}}" x2="{{left}}" y1="{{top}}" y2="{{bottom}}"/><line class="axis" x1="{{left}}" x2="{{right}}" y1="{{bottom}}" y2="{{bottom}}"/>
        {{#band}}<polygon class="band" points="{{{band}}}"><title>{{bandTitle}}</title></polygon>
        {{/band}}{{#segments}}<line class="segment" x1="{{x1}}" x2="{{x2}}" y1="{{y1}}" y2="{{y2}}"><title>{{title}}</title></line>
        {{/segments}}{{#environment}}<line class="environment" x1="{{x}}" x2="{{x}}" y1="{{top}}" y2="{{bottom}}"><title>{{title}}</title></line><text class="environment" x="{{x}}" y="{{labelY}}" text-anchor="middle">⚙<title>{{title}}</title></text>
        {{/environment}}{{#changes}}<line class="change {{kind}}" x1="{{x}}" x2="{{x}}" y1="{{top}}" y2="{{bottom}}"><title>{{title}}</title></line><text class="{{kind}}" x="{{labelX}}" y="{{labelY}}" text-anchor="{{anchor}}">{{label}}<title>{{title}}</title></text>
        {{/changes}}<polyline class="line" points="{{{line}}}" marker-start="url(#{{id}}-dot)" marker-mid="url(#{{id}}-dot)" marker-end="url(#{{id}}-dot)"/>
        {{#outliers}}<circle class="outlier" cx="{{x}}" cy="{{y}}" r="4"><title>{{title}}</title></circle>
        {{/outliers}}{{#xlabels}}<text class="tick sha" x="{{x}}" y="{{y}}" text-anchor="{{anchor}}">{{label}}</text>
        {{/xlabels}}<text class="tick" x="{{middle}}" y="{{footY}}" text-anchor="middle">{{footer}}</text>
        </svg>
        """

    /// Several charts stacked in one standalone SVG file (`trend --format svg`).
    static let stack = """
        <svg xmlns="http://www.w3.org/2000/svg" class="hh-chart" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}">
        <style>{{style}}</style>
        {{#charts}}{{{svg}}}{{/charts}}</svg>

        """

    /// The index's sparkline: the line, the newest point and the change points.
    static let sparkline = """
        <svg class="hh-chart" role="img" aria-label="{{label}}" viewBox="0 0 {{width}} {{height}}" width="{{width}}" height="{{height}}">\
        <polyline class="spark" points="{{line}}"/>{{#changes}}<line class="change {{kind}}" x1="{{x}}" x2="{{x}}" y1="0" y2="{{height}}"/>{{/changes}}\
        <circle cx="{{lastX}}" cy="{{lastY}}" r="2" class="{{lastKind}}"/></svg>
        """

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // The templates are constants of this file: a parse error is a bug caught by every test that draws a chart.
        for (name, text) in [("chart", chart), ("stack", stack), ("sparkline", sparkline)] {
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }()

    static func render(_ name: String, _ data: [String: Any]) -> String {
        library.render(data, withTemplate: name) ?? ""
    }
}

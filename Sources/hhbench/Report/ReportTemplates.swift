import Mustache

/// The report's pages as Mustache templates. `{{name}}` is HTML-escaped by Mustache; the only
/// `{{{raw}}}` insertions are SVG rendered by `ChartTemplates` (itself escaped). Names from the
/// data pass through `SafeText` first. The style and the script are two files of the site
/// (`hhbench.css`, `hhbench.js`) that every page links, relative to itself, so the site works
/// from `file://` and carries them once.
enum ReportTemplates {
    /// Responsive (charts scale to the width, tables scroll), dark mode by `prefers-color-scheme`.
    static let css = """
        :root{color-scheme:light dark;--fg:#1f2328;--muted:#57606a;--bg:#fff;--line:#d0d7de;--row:#f6f8fa;--bad:#b5410b;--good:#00795a;--link:#0b62a8}
        @media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--muted:#8b949e;--bg:#0d1117;--line:#30363d;--row:#161b22;--bad:#f0883e;--good:#3fb68b;--link:#58a6ff}}
        body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:16px;max-width:1100px}
        a{color:var(--link)}h1{font-size:1.5em;margin:.2em 0;overflow-wrap:anywhere}h2{font-size:1.15em;margin:1.2em 0 .3em;overflow-wrap:anywhere}
        .meta,.legend,footer{color:var(--muted)}.scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        tbody tr:nth-child(even){background:var(--row)}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
        th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
        .regression{color:var(--bad)}.improvement{color:var(--good)}.sha{font-family:ui-monospace,monospace}
        .subject{color:var(--muted)}input[type=search]{font:inherit;padding:6px 8px;width:min(100%,420px);margin:8px 0;box-sizing:border-box}
        svg.hh-chart{max-width:100%;height:auto}section.chart{margin-bottom:12px}
        #tip{position:absolute;padding:3px 6px;background:var(--fg);color:var(--bg);border-radius:4px;font:12px ui-monospace,monospace;pointer-events:none;white-space:pre}
        @media (max-width:640px){body{padding:8px}td,th{padding:3px 4px;white-space:nowrap}.wide,.subject{display:none}}
        """

    /// Filtering (also from a link: index.html#q=TEXT) and sorting of the index, and a tooltip with each chart point's commit and value.
    /// Text goes in through `textContent` only.
    static let script = """
        const filter=document.getElementById('filter');
        if(filter){const apply=()=>{const q=filter.value.toLowerCase();for(const row of document.querySelectorAll('#series tbody tr'))row.hidden=!row.dataset.search.includes(q)};
        filter.addEventListener('input',apply);if(location.hash.startsWith('#q=')){filter.value=decodeURIComponent(location.hash.slice(3));apply()}}
        for(const th of document.querySelectorAll('table.sortable th')){const button=th.querySelector('button');if(!button)continue;button.addEventListener('click',()=>{
        const table=th.closest('table'),column=[...th.parentNode.children].indexOf(th),ascending=th.getAttribute('aria-sort')!=='ascending',numeric=th.dataset.type==='number';
        for(const other of th.parentNode.children)other.setAttribute('aria-sort','none');th.setAttribute('aria-sort',ascending?'ascending':'descending');
        const key=row=>{const cell=row.cells[column];return cell.dataset.value??cell.textContent};
        const rows=[...table.tBodies[0].rows].sort((a,b)=>{const x=key(a),y=key(b);const order=numeric?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);return ascending?order:-order});
        for(const row of rows)table.tBodies[0].appendChild(row)})}
        const tip=document.getElementById('tip');
        for(const chart of document.querySelectorAll('svg.hh-chart[data-commits]')){const commits=chart.dataset.commits.split(' '),values=chart.dataset.values.split(' '),left=+chart.dataset.left,right=+chart.dataset.right;
        chart.addEventListener('mousemove',event=>{const box=chart.getBoundingClientRect(),x=(event.clientX-box.left)*chart.viewBox.baseVal.width/box.width;
        const i=commits.length<2?0:Math.round((x-left)/(right-left)*(commits.length-1));if(i<0||i>=commits.length){tip.hidden=true;return}
        tip.textContent=commits[i]+'  '+values[i]+' '+chart.dataset.unit;tip.style.left=(event.pageX+12)+'px';tip.style.top=(event.pageY+12)+'px';tip.hidden=false});
        chart.addEventListener('mouseleave',()=>{tip.hidden=true})}
        """

    static let head = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <meta name="generator" content="hhbench {{version}}"><title>{{pageTitle}}</title><link rel="stylesheet" href="{{root}}hhbench.css"></head><body>
        """

    static let foot = """
        <footer><p>Generated by hhbench {{version}} at {{generatedAt}} from {{database}}.</p></footer>
        <div id="tip" hidden></div><script src="{{root}}hhbench.js"></script></body></html>

        """

    static let index = """
        {{> head}}<header><h1>{{heading}}</h1><p class="meta">{{summary}}</p>
        {{#compare}}<p><a href="compare.html">Compare: {{compare}}</a></p>{{/compare}}</header>
        <main><input id="filter" type="search" placeholder="Filter by benchmark or metric" aria-label="Filter by benchmark or metric">
        <div class="scroll"><table id="series" class="sortable"><thead><tr>
        <th aria-sort="none"><button type="button">Benchmark</button></th><th aria-sort="none"><button type="button">Metric</button></th>
        <th data-type="number" aria-sort="none"><button type="button">Latest</button></th>
        <th data-type="number" aria-sort="none" title="The latest value against the mean of its baseline segment (since the newest change point)"><button type="button">Change</button></th>
        <th class="wide">History</th><th data-type="number" aria-sort="none"><button type="button">Newest change point</button></th></tr></thead><tbody>
        {{#rows}}<tr data-search="{{search}}"><td><a href="{{href}}">{{benchmark}}</a></td><td>{{metric}}</td>
        <td class="num" data-value="{{latestValue}}">{{latest}}</td><td class="num {{changeClass}}" data-value="{{changeValue}}">{{change}}</td>
        <td class="wide">{{{sparkline}}}</td><td data-value="{{changeAge}}">{{#newest}}<span class="{{kind}}">{{label}}</span> <span class="subject">{{subject}}</span>{{/newest}}{{^newest}}none{{/newest}}\
        {{#drift}}<br><span class="{{driftClass}}">{{drift}}</span>{{/drift}}</td></tr>
        {{/rows}}</tbody></table></div>{{^rows}}<p>No series on {{branch}}.</p>{{/rows}}</main>
        {{> foot}}
        """

    static let legend = """
        <p class="legend">Each point is a commit's value (the median over its runs); the shaded band is the 25th to 75th percentile of \
        its raw samples; orange lines are segment means between change points (a slanted one is flagged drift); dashed lines mark \
        regressions and dotted ones improvements; pink dotted lines with ⚙ mark machine or toolchain changes; rings are one-off \
        outliers. Hover for commit, subject, author and date.</p>
        """

    static let benchmark = """
        {{> head}}<nav><a href="../index.html">← all benchmarks</a></nav>
        <header><h1>{{heading}}</h1><p class="meta">{{summary}}</p></header><main>{{> legend}}
        {{#charts}}<section class="chart"><h2>{{metric}}</h2>{{{svg}}}</section>
        {{/charts}}<h2>Recent runs</h2><div class="scroll"><table><thead><tr><th>Commit</th><th>Subject</th><th>Recorded</th><th>Machine</th>\
        <th>Toolchain</th><th>Tool</th><th>CI job</th><th class="wide">Run</th></tr></thead><tbody>
        {{#runs}}<tr><td class="sha">{{commit}}</td><td>{{subject}}</td><td>{{recorded}}</td><td>{{machine}}</td><td>{{toolchain}}</td><td>{{tool}}</td>\
        <td>{{#jobURL}}<a href="{{jobURL}}" rel="noopener nofollow">job</a>{{/jobURL}}</td><td class="sha wide">{{uuid}}</td></tr>
        {{/runs}}</tbody></table></div></main>
        {{> foot}}
        """

    static let compare = """
        {{> head}}<nav><a href="index.html">← all benchmarks</a></nav>
        <header><h1>{{heading}}</h1><p class="meta">{{summary}}</p></header><main>{{#problem}}<p>{{problem}}</p>{{/problem}}
        <div class="scroll"><table class="sortable"><thead><tr><th aria-sort="none"><button type="button">Verdict</button></th>
        <th aria-sort="none"><button type="button">Benchmark</button></th><th aria-sort="none"><button type="button">Metric</button></th>
        <th class="num">Baseline</th><th class="num">Candidate</th><th data-type="number" aria-sort="none"><button type="button">Change</button></th>
        <th>95 % CI</th><th>p</th><th class="wide">Note</th></tr></thead><tbody>
        {{#rows}}<tr><td class="{{verdictClass}}">{{verdict}}</td><td>{{benchmark}}</td><td>{{metric}}</td><td class="num">{{baseline}}</td>\
        <td class="num">{{candidate}}</td><td class="num {{verdictClass}}" data-value="{{changeValue}}">{{change}}</td><td class="num">{{interval}}</td>\
        <td class="num">{{p}}</td><td class="wide">{{note}}</td></tr>
        {{/rows}}</tbody></table></div></main>
        {{> foot}}
        """

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates = [("head", head), ("foot", foot), ("legend", legend), ("index", index), ("benchmark", benchmark), ("compare", compare)]
        // Constants of this file: a parse error is a bug that every report test would show.
        for (name, text) in templates {
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }()

    static func render(_ name: String, _ data: [String: Any]) -> String {
        library.render(data, withTemplate: name) ?? ""
    }

    /// The site's shared files, beside index.html.
    static var assets: [ReportPage] {
        [ReportPage(path: "hhbench.css", html: css + "\n" + ChartTemplates.style + "\n"), ReportPage(path: "hhbench.js", html: script + "\n")]
    }
}

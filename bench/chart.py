"""Draw bench/stack.py's results as one chart: each scenario's share of the ceiling.

    .venv/bin/python bench/chart.py [bench/results.json] [docs/benchmarks.svg]

bench/stack.py calls ``draw`` after each run; this entry point draws again
from a results file. One panel per database, a bar per scenario and
concurrency, and the goal of each group as a tick on its bar.
"""
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_RESULTS = BENCH / "results.json"
DEFAULT_CHART = BENCH.parent / "docs" / "benchmarks.svg"


def draw(results, path, goals):
    """Write the chart of ``results`` (bench/stack.py's dict) to ``path`` as SVG.

    ``goals`` maps a database to {group: share}, as bench/stack.py's SHARE_GOALS.
    """
    import matplotlib
    matplotlib.use("svg")  # no display here, and SVG diffs as text
    from matplotlib import pyplot

    databases = [kind for kind in goals if any(r["stack"] == kind for r in results["rows"])]
    scenarios = list(dict.fromkeys(row["scenario"] for row in results["rows"]
                                   if row["stack"] in databases))
    figure, panels = pyplot.subplots(1, len(databases), sharey=True, squeeze=False,
                                     figsize=(5.5 * len(databases), 0.45 * len(scenarios) + 1.5))
    levels = results["concurrency"]
    height = 0.8 / len(levels)
    for panel, kind in zip(panels[0], databases):
        rows = {(row["scenario"], row["concurrency"]): row for row in results["rows"]
                if row["stack"] == kind}
        for step, connections in enumerate(levels):
            shares, places = [], []
            for place, scenario in enumerate(scenarios):
                row = rows.get((scenario, connections))
                if row is not None:
                    shares.append(100 * row["share_of_ceiling"])
                    places.append(place + step * height)
            panel.barh(places, shares, height=height, label=f"{connections} connections")
        for place, scenario in enumerate(scenarios):
            group = next((row["group"] for (name, _), row in rows.items() if name == scenario),
                         None)
            goal = goals[kind].get(group)
            if goal is not None:
                panel.plot([100 * goal] * 2, [place - height / 2, place + height * len(levels)],
                           color="black", linewidth=2)
        panel.axvline(100, color="grey", linewidth=0.8, linestyle=":")
        panel.set_title(kind)
        panel.set_xlabel("% of the ceiling's requests per second")
        panel.set_xlim(0, 110)
    panels[0][0].set_yticks([place + height * (len(levels) - 1) / 2
                             for place in range(len(scenarios))], scenarios)
    panels[0][0].invert_yaxis()
    panels[0][-1].legend(loc="lower right")
    figure.suptitle("Requests per second as a share of hello-world Flask (black: the goal)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Date": None})  # the same results draw the same file
    pyplot.close(figure)


def main(argv):
    from stack import SHARE_GOALS
    results = Path(argv[0]) if argv else DEFAULT_RESULTS
    chart = Path(argv[1]) if len(argv) > 1 else DEFAULT_CHART
    draw(json.loads(results.read_text()), chart, SHARE_GOALS)
    print(f"drew {chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

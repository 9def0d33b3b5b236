"""``smartcar ml classify``, ``smartcar ml cluster`` and ``smartcar ml recommend``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from smartcar.core.business_dates import date_option, month_option
from smartcar.ml.jobs import NoTrainingData, run_classification, run_clustering, run_recommendation
from smartcar.settings import get_settings

app = typer.Typer(
    help="Spark ML: status classification, customer clustering, item recommendations.", no_args_is_help=True
)


def _print_result(job: Callable[[], dict[str, Any]]) -> None:
    """Run a job and print its result as JSON; a job without data is a one-line error and exit code 1."""
    try:
        typer.echo(json.dumps(job(), indent=2, ensure_ascii=False))
    except (NoTrainingData, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def classify(
    date: Annotated[
        str,
        typer.Option("--date", parser=date_option, help="Last biz_date of the training window (yyyyMMdd)."),
    ],
    days: int = typer.Option(7, help="Days in the training window."),
    trees: int = typer.Option(5, help="Random-forest trees (the book: 5; 3 on low-spec machines)."),
    seed: int = typer.Option(42),
) -> None:
    """Train and evaluate the status classifier; prints the metrics as JSON."""
    _print_result(lambda: run_classification(date, days, trees, seed, settings=get_settings()))


@app.command()
def cluster(
    date: Annotated[
        str, typer.Option("--date", parser=date_option, help="Run date the result is kept under (yyyyMMdd).")
    ],
    k: int = typer.Option(200),
    seed: int = typer.Option(1),
) -> None:
    """Cluster the car master into customer segments; prints the summary as JSON."""
    _print_result(lambda: run_clustering(date, k, seed, settings=get_settings()))


@app.command()
def recommend(
    month: Annotated[
        str, typer.Option("--month", parser=month_option, help="biz_month of the buy-list mart (yyyyMM).")
    ],
    test_share: float = typer.Option(0.2, help="Share of car-item pairs held out for precision@3."),
    seed: int = typer.Option(7),
) -> None:
    """Top 3 items per car into the recommendation table; prints precision@3 beside the popularity baseline."""
    _print_result(lambda: run_recommendation(month, test_share, seed, settings=get_settings()))

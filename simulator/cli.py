"""``smartcar simulate``: the four generators of the original pilot, deterministic per seed.

Bad input (dates, car counts, directories, brokers, knobs) ends in one ``Error: ...`` line on
stderr and exit code 1 (2 for malformed options, as Typer reports them); never a traceback.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from simulator.cars import SimulatorError, check_cars, check_seed, fleet, parse_date, parse_month
from simulator.incidents import Incidents, parse_clock, parse_failure, parse_speeding

app = typer.Typer(
    name="simulate",
    help="Generate the pilot's data sets: car master, item buy list, status log, driving log.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

DateOpt = Annotated[str, typer.Option("--date", "-d", help="Simulation date, YYYYMMDD (or YYYY-MM-DD).")]
CarsOpt = Annotated[int, typer.Option("--cars", "-n", help="Fleet size: car indices 1..N.")]
SeedOpt = Annotated[int, typer.Option("--seed", "-s", help="Same (date, cars, seed) gives byte-identical output.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Spool directory (default: settings spool_path).")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Final file name instead of <prefix>_<date>_<runid>.")]
MinutesOpt = Annotated[
    float | None, typer.Option("--minutes", help="Simulated minutes to emit from 00:00:00 (default: the whole day).")
]
MalformedOpt = Annotated[
    float, typer.Option("--malformed-rate", help="Share of data lines replaced by malformed ones (dead-letter tests).")
]
FailureOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--force-failure",
        help="CAR:component or CAR:component@HHMMSS (failed from then on), e.g. 7:tire_fl, K0007:engine@120000. Repeatable.",
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C, so temporary files are removed


@contextmanager
def _errors() -> Iterator[None]:
    """Turn known failures into one clear line and a non-zero exit; SIGTERM cleans up like Ctrl-C."""
    with suppress(ValueError):  # only the main thread may set handlers (CliRunner may not be it)
        signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except SimulatorError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        typer.echo("Interrupted (no partial file is left under a final name).", err=True)
        raise typer.Exit(130) from None
    except OSError as exc:
        raise _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal; a no-op callback otherwise."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _spool_dir(out: Path | None) -> Path:
    if out is not None:
        return out
    from smartcar.settings import get_settings

    return get_settings().spool_path


def _incidents(
    cars: int,
    seed: int,
    wild_share: float | None = None,
    speeding: list[str] | None = None,
    failures: list[str] | None = None,
    malformed_rate: float = 0.0,
) -> Incidents:
    f = fleet(check_seed(seed), check_cars(cars), wild_share)
    return Incidents(
        wild_share=wild_share,
        speeding=tuple(parse_speeding(s, f) for s in speeding or ()),
        failures=tuple(parse_failure(s, f) for s in failures or ()),
        malformed_rate=malformed_rate,
    )


def _done(path: Path | str, lines: int, started: float) -> None:
    seconds = time.perf_counter() - started
    typer.echo(f"{path}\t{lines} lines\t{seconds:.1f} s")


@app.command("fleet")
def fleet_command(
    cars: CarsOpt = 100,
    seed: SeedOpt = 0,
    wild_share: Annotated[float | None, typer.Option(help="As for 'driving'.")] = None,
) -> None:
    """Print the fleet of a seed: index, car number, area group, wild driver (tab-separated)."""
    from simulator.cars import AREA_GROUPS

    with _errors():
        f = fleet(check_seed(seed), check_cars(cars), wild_share)
    typer.echo("index\tcar_number\tarea_group\twild")
    for i, (number, group, wild) in enumerate(zip(f.numbers, f.groups, f.wild, strict=True), start=1):
        typer.echo(f"{i}\t{number}\t{AREA_GROUPS[group]}\t{int(wild)}")


@app.command()
def master(
    seed: SeedOpt = 0,
    cars: Annotated[
        int, typer.Option("--cars", "-n", help="Indices per letter (at least 100, as the original).")
    ] = 100,
    jobs: Annotated[str, typer.Option(help="Job list: 'shipped' (7 values, the loaded file) or 'generator' (5).")] = (
        "shipped"
    ),
    out: OutOpt = None,
    name: NameOpt = None,
) -> None:
    """Car master (CarMaster.txt format): every letter x index, pipe-delimited, UTF-8."""
    from simulator.master import write_master

    started = time.perf_counter()
    with _errors():
        path = write_master(_spool_dir(out), check_seed(seed), cars, jobs, final_name=name)
    _done(path, 26 * max(cars, 100), started)


@app.command()
def buylist(
    month: Annotated[str | None, typer.Option("--month", "-m", help="Month YYYYMM.")] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="Any date of the month, YYYYMMDD.")] = None,
    seed: SeedOpt = 0,
    rows: Annotated[int, typer.Option(help="Rows to generate (original: 100,000).")] = 100_000,
    cars: Annotated[int, typer.Option("--cars", "-n", help="Car indices drawn from 1..max(cars, 100).")] = 100,
    out: OutOpt = None,
    name: NameOpt = None,
) -> None:
    """Item buy list for one month (CarItemBuyList_<yyyyMM> format)."""
    from simulator.buylist import write_buylist

    started = time.perf_counter()
    with _errors():
        if (month is None) == (date is None):
            raise SimulatorError("give exactly one of --month YYYYMM or --date YYYYMMDD")
        the_month = parse_month(month) if month else parse_date(date or "").month
        path = write_buylist(_spool_dir(out), the_month, check_seed(seed), rows, cars, final_name=name)
    _done(path, rows, started)


@app.command()
def status(
    date: DateOpt,
    cars: CarsOpt = 100,
    seed: SeedOpt = 0,
    out: OutOpt = None,
    name: NameOpt = None,
    minutes: MinutesOpt = None,
    force_failure: FailureOpt = None,
    malformed_rate: MalformedOpt = 0.0,
) -> None:
    """Car status log for one day: 21,601 records per car, written as one spool file atomically."""
    from simulator.cars import steps_for_minutes
    from simulator.status_log import STEP_SECONDS, write_status_file

    started = time.perf_counter()
    with _errors():
        day = parse_date(date)
        knobs = _incidents(cars, seed, failures=force_failure, malformed_rate=malformed_rate)
        total = steps_for_minutes(STEP_SECONDS, minutes) * cars
        with _progress(total, f"status {day}") as advance:
            path = write_status_file(
                _spool_dir(out), day, cars, seed, incidents=knobs, minutes=minutes, final_name=name, on_lines=advance
            )
    _done(path, total + cars, started)


@app.command()
def driving(
    date: DateOpt,
    cars: CarsOpt = 100,
    seed: SeedOpt = 0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the day as one spool file into this directory.")
    ] = None,
    to_kafka: Annotated[bool, typer.Option("--to-kafka", help="Produce to Kafka (key = car number).")] = False,
    topic: Annotated[str | None, typer.Option(help="Kafka topic (default: settings kafka_topic).")] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap (default: settings kafka_bootstrap).")] = None,
    partitions: Annotated[int | None, typer.Option(help="Partitions if the topic must be created.")] = None,
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Append to this growing log (Flume tail source).")
    ] = None,
    speed: Annotated[
        float, typer.Option(help="1 = real time (2 simulated s per 100 ms per car), X = X times faster, 0 = flat out.")
    ] = 1.0,
    minutes: MinutesOpt = None,
    start: Annotated[
        str, typer.Option(help="First simulated time of day to emit, HHMMSS (earlier hours are still simulated).")
    ] = "000000",
    name: NameOpt = None,
    wild_share: Annotated[
        float | None, typer.Option(help="Exact share of wild drivers (default: the original's draw).")
    ] = None,
    force_speeding: Annotated[
        list[str] | None,
        typer.Option(
            help="CAR or CAR@HHMMSS-HHMMSS: the car drives with the wild weights (all day or in the window). Repeatable."
        ),
    ] = None,
    malformed_rate: MalformedOpt = 0.0,
) -> None:
    """Driving log for one day: 43,201 records per car, to a spool file, a growing log and/or Kafka.

    Without --out, --to-kafka or --log-file the records are appended to settings driving_log_path.
    """
    from simulator.driving_log import records_in_span, write_driving_file
    from simulator.sinks import KafkaSink, LogAppender
    from simulator.stream import stream_driving

    started = time.perf_counter()
    with _errors():
        day = parse_date(date)
        knobs = _incidents(cars, seed, wild_share, force_speeding, None, malformed_rate)
        first_second = parse_clock(start)
        total = records_in_span(minutes, first_second) * cars
        if out is not None and (to_kafka or log_file is not None):
            raise SimulatorError("--out writes a complete file; use it without --to-kafka/--log-file")
        if speed < 0:
            raise SimulatorError(f"speed must be >= 0, got {speed}")
        if out is not None:
            with _progress(total, f"driving {day}") as advance:
                path = write_driving_file(
                    out,
                    day,
                    cars,
                    seed,
                    incidents=knobs,
                    minutes=minutes,
                    start=first_second,
                    final_name=name,
                    on_lines=advance,
                )
            _done(path, total + cars, started)
            return
        from smartcar.settings import get_settings

        settings = get_settings()
        if not to_kafka and log_file is None:
            log_file = settings.driving_log_path
        kafka = KafkaSink(topic or settings.kafka_topic, bootstrap, partitions) if to_kafka else None
        log = LogAppender(log_file) if log_file is not None else None
        try:
            with _progress(total, f"driving {day}") as advance:
                stats = stream_driving(
                    day,
                    cars,
                    seed,
                    incidents=knobs,
                    kafka=kafka,
                    log=log,
                    speed=speed,
                    minutes=minutes,
                    start=first_second,
                    on_lines=advance,
                )
        except BaseException as exc:
            if kafka is not None:  # deliver what was produced before the interruption
                kafka.__exit__(type(exc), exc, exc.__traceback__)
            raise
        finally:
            if log is not None:
                log.close()
        targets = [str(log_file)] if log is not None else []
        if kafka is not None:
            targets.append(f"kafka:{kafka.topic}")
        typer.echo(f"{' + '.join(targets)}\t{stats.lines} lines\t{stats.seconds:.1f} s\t{stats.rate:,.0f} lines/s")


if __name__ == "__main__":
    app()

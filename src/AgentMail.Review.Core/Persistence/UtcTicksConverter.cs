using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AgentMail.Review.Core.Persistence;

internal sealed class UtcTicksConverter() : ValueConverter<DateTime, long>(
    value => value.ToUniversalTime().Ticks,
    ticks => new DateTime(ticks, DateTimeKind.Utc));

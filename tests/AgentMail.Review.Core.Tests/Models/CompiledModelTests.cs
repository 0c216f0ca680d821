using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AgentMail.Review.Core.Tests.Models;

/// <summary>
/// Each store runs on a model compiled ahead of time (Persistence/Sqlite/CompiledModel, Persistence/Postgres/CompiledModel);
/// a model change that was not compiled again would have the server read and write the old shape. These tests run on
/// both stores (the PostgreSQL run of the Core tests takes this folder too).
/// </summary>
public sealed class CompiledModelTests
{
    [Fact]
    public async Task The_store_runs_on_the_compiled_model()
    {
        await using var store = await TestStore.CreateAsync();
        await using var db = store.OpenDb();

        Assert.Equal("CompiledModel", db.Model.GetType().Namespace!.Split('.')[^1]);
        Assert.Equal(db.GetType().Name + "Model", db.Model.GetType().Name);
    }

    [Fact]
    public async Task The_compiled_model_has_the_tables_columns_keys_and_conversions_of_the_code()
    {
        await using var store = await TestStore.CreateAsync();
        await using var db = store.OpenDb();
        var fromCode = Describe(db.GetService<IDesignTimeModel>().Model).ToList();
        var compiled = Describe(db.Model).ToList();

        Assert.Contains(fromCode, line => line.StartsWith("drafts.", StringComparison.Ordinal));
        Assert.True(fromCode.SequenceEqual(compiled),
            "the compiled model differs from the code's: generate it again (see the README in src/AgentMail.Review.Core/Persistence/<provider>/CompiledModel). "
            + $"Only in the code: {string.Join("; ", fromCode.Except(compiled))}. Only compiled: {string.Join("; ", compiled.Except(fromCode))}");
    }

    /// <summary>What the store reads and writes by: each table's columns, keys and indexes, and each property's type and conversion.</summary>
    private static IEnumerable<string> Describe(IModel model)
    {
        var lines = new List<string>();
        foreach (var table in model.GetRelationalModel().Tables)
        {
            lines.AddRange(table.Columns.Select(c => $"{table.Name}.{c.Name} {c.StoreType} {(c.IsNullable ? "null" : "not null")}"));
            if (table.PrimaryKey is { } key)
            {
                lines.Add($"{table.Name} primary key {Names(key.Columns)}");
            }

            lines.AddRange(table.ForeignKeyConstraints.Select(f => $"{table.Name} foreign key {f.Name} ({Names(f.Columns)}) to {f.PrincipalTable.Name} on delete {f.OnDeleteAction}"));
            lines.AddRange(table.Indexes.Select(i => $"{table.Name} index {i.Name} ({Names(i.Columns)}){(i.IsUnique ? " unique" : "")}"));
        }

        foreach (var entity in model.GetEntityTypes())
        {
            lines.AddRange(entity.GetProperties().Select(p => $"{entity.Name}.{p.Name} {p.ClrType.Name}{(p.IsNullable ? "?" : "")} {p.GetTypeMapping().Converter?.GetType().Name}"));
            lines.AddRange(entity.GetNavigations().Select(n => $"{entity.Name} navigation {n.Name} to {n.TargetEntityType.Name}"));
        }

        return lines.Order(StringComparer.Ordinal);
    }

    private static string Names(IEnumerable<IColumn> columns) => string.Join(", ", columns.Select(c => c.Name));
}

using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;

namespace ParameterServer.Grains.Models;

/// <summary>
/// The names of all models of the cluster (key 0), persisted so that a status query finds them after a restart. Only
/// models that exist are listed: a name without its model would make every status query fail on it.
/// </summary>
public sealed class ModelDirectoryGrain(
    [PersistentState("models", StorageNames.Checkpoints)] IPersistentState<ModelDirectoryState> state) : Grain, IModelDirectoryGrain
{
    public async Task Add(string model)
    {
        Names.Validate(model, "model");
        var models = state.State.Models;
        var at = models.BinarySearch(model, StringComparer.Ordinal);
        if (at >= 0) return;
        await GrainFactory.GetGrain<IModelGrain>(model).GetSpec(); // UnknownModel for a model never created
        models.Insert(~at, model);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            models.RemoveAt(~at);
            throw;
        }
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.Models.ToArray());
}
